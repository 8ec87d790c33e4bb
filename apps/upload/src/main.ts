import './instrument.js';
import { UploadServiceModule } from '@quiver/upload-feature-service';
import { runService } from '@quiver/shared-feature-runtime';

await runService({ name: 'upload', module: UploadServiceModule, defaultMode: 'distributed' });
