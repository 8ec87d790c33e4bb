import './instrument.js';
import { IndexProjectionConsumer, IndexServiceModule } from '@quiver/index-feature-service';
import { serviceAccess } from '@quiver/shared-feature-access';
import { openDistributedAdapters, runService } from '@quiver/shared-feature-runtime';

await runService({
  name: 'index',
  defaultMode: 'distributed',
  compose: async (config) => {
    const adapters = await openDistributedAdapters('index', config);
    const projection = new IndexProjectionConsumer(adapters.database, adapters.bus);
    const module = IndexServiceModule.register(
      {
        ...adapters,
        ...serviceAccess('index', adapters.database, adapters.bus, { bootstrapAdminSha256: config.adminTokenSha256, cacheTtlMs: config.access.cacheTtlMs, sharedProjection: true }),
        fileCacheBytes: config.index.fileCacheBytes,
        pageCacheBytes: config.index.pageCacheBytes,
      },
      projection,
    );
    return { module, close: () => adapters.close() };
  },
});
