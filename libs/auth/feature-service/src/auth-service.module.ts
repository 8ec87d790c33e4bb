import { Module } from '@nestjs/common';
import { healthController } from '@quiver/shared-feature-runtime';

/** The auth service: everything it serves, mounted by apps/auth and by the embedded registry. */
@Module({ controllers: [healthController('auth')] })
export class AuthServiceModule {}
