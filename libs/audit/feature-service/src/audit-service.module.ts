import { Module } from '@nestjs/common';
import { healthController } from '@quiver/shared-feature-runtime';

/** The audit service: everything it serves, mounted by apps/audit and by the embedded registry. */
@Module({ controllers: [healthController('audit')] })
export class AuditServiceModule {}
