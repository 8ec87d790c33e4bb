import './instrument.js';
import { IndexProjectionConsumer, IndexServiceModule } from '@quiver/index-feature-service';
import { RemotePasswordChecker, RemoteTokenUseCounter, serviceAccess } from '@quiver/shared-feature-access';
import { openDistributedAdapters, runService } from '@quiver/shared-feature-runtime';

await runService({
  name: 'index',
  defaultMode: 'distributed',
  compose: async (config) => {
    if (!config.authUrl) {
      throw new Error('QUIVER_AUTH_URL is required: tokens issued with a use limit are counted by the auth service.');
    }
    const adapters = await openDistributedAdapters('index', config);
    const projection = new IndexProjectionConsumer(adapters.database, adapters.bus);
    const module = IndexServiceModule.register(
      {
        ...adapters,
        ...serviceAccess('index', adapters.database, adapters.bus, {
          bootstrapAdminSha256: config.adminTokenSha256,
          cacheTtlMs: config.access.cacheTtlMs,
          sharedProjection: true,
          useCounter: new RemoteTokenUseCounter(config.authUrl),
          // Installs may sign with a directory password: the auth service checks it (and its failure limits).
          passwords: new RemotePasswordChecker(config.authUrl),
          passwordCacheMs: config.directory.cacheSeconds * 1000,
          directoryGraceMs: config.directory.graceSeconds * 1000,
        }),
        fileCacheBytes: config.index.fileCacheBytes,
        pageCacheBytes: config.index.pageCacheBytes,
      },
      projection,
    );
    return { module, close: () => adapters.close() };
  },
});
