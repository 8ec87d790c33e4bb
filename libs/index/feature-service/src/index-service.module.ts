import { Module } from '@nestjs/common';
import { healthController } from '@quiver/shared-feature-runtime';

/** The index service: everything it serves, mounted by apps/index and by the embedded registry. */
@Module({ controllers: [healthController('index')] })
export class IndexServiceModule {}
