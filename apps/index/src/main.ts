import './instrument.js';
import { IndexProjectionConsumer, IndexServiceModule } from '@quiver/index-feature-service';
import { openDistributedAdapters, runService } from '@quiver/shared-feature-runtime';

await runService({
  name: 'index',
  defaultMode: 'distributed',
  compose: async (config) => {
    const adapters = await openDistributedAdapters('index', config);
    const projection = new IndexProjectionConsumer(adapters.database, adapters.bus);
    return { module: IndexServiceModule.register({ ...adapters, fileCacheBytes: config.index.fileCacheBytes, pageCacheBytes: config.index.pageCacheBytes }, projection), close: () => adapters.close() };
  },
});
