import './instrument.js';
import { AuditServiceModule } from '@quiver/audit-feature-service';
import { runService } from '@quiver/shared-feature-runtime';

await runService({ name: 'audit', compose: () => Promise.resolve({ module: AuditServiceModule }), defaultMode: 'distributed' });
