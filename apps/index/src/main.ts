import './instrument.js';
import { IndexProjectionConsumer, IndexServiceModule } from '@quiver/index-feature-service';
import { Logger } from '@nestjs/common';
import { AccessFacts, FactJournal, RemotePasswordChecker, RemoteTokenUseCounter, serviceAccess } from '@quiver/shared-feature-access';
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
    const logger = new Logger('access-facts');
    const journal = FactJournal.open({ directory: config.journalDir, bus: adapters.bus, onProblem: (message) => logger.warn(message) });
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
        }, new AccessFacts('index', journal, { pageReadIntervalMs: config.index.pageReadsIntervalMs })),
        fileCacheBytes: config.index.fileCacheBytes,
        pageCacheBytes: config.index.pageCacheBytes,
      },
      projection,
    );
    return {
      module,
      close: async () => {
        await journal.stop();
        await adapters.close();
      },
    };
  },
});
