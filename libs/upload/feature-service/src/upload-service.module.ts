import { Module } from '@nestjs/common';
import { healthController } from '@quiver/shared-feature-runtime';

/** The upload service: everything it serves, mounted by apps/upload and by the embedded registry. */
@Module({ controllers: [healthController('upload')] })
export class UploadServiceModule {}
