import './instrument.js';
import { IndexServiceModule } from '@quiver/index-feature-service';
import { runService } from '@quiver/shared-feature-runtime';

await runService({ name: 'index', module: IndexServiceModule, defaultMode: 'distributed' });
