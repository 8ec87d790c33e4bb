import './instrument.js';
import { AuthServiceModule } from '@quiver/auth-feature-service';
import { runService } from '@quiver/shared-feature-runtime';

await runService({ name: 'auth', compose: () => Promise.resolve({ module: AuthServiceModule }), defaultMode: 'distributed' });
