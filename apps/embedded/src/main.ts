import './instrument.js';
import { mkdir } from 'node:fs/promises';
import { runService } from '@quiver/shared-feature-runtime';
import { EmbeddedModule } from './embedded.module.js';

await runService({
  name: 'embedded',
  compose: (config) => EmbeddedModule.compose(config),
  defaultMode: 'embedded',
  prepare: async (config) => {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  },
});
