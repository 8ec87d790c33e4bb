import { Module } from '@nestjs/common';
import { AuditServiceModule } from '@quiver/audit-feature-service';
import { AuthServiceModule } from '@quiver/auth-feature-service';
import { IndexServiceModule } from '@quiver/index-feature-service';
import { UploadServiceModule } from '@quiver/upload-feature-service';

/** All four services in one process, on one port: what `npm start` runs. */
@Module({ imports: [IndexServiceModule, UploadServiceModule, AuthServiceModule, AuditServiceModule] })
export class EmbeddedModule {}
