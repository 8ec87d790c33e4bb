import './instrument.js';
import { LdapDirectory } from '@quiver/auth-data-access-ldap';
import { AuthServiceModule, DatabaseTokenUseCounter } from '@quiver/auth-feature-service';
import { Logger } from '@nestjs/common';
import { AccessControl, AccessFacts, FactJournal, factsOnUse, TokenUseRecorder } from '@quiver/shared-feature-access';
import { CONFIRMATION_PATHS, openDistributedAdapters, remoteEventWaiter, runService } from '@quiver/shared-feature-runtime';

await runService({
  name: 'auth',
  defaultMode: 'distributed',
  compose: async (config) => {
    if (!config.indexUrl || !config.uploadUrl) {
      throw new Error('QUIVER_INDEX_URL and QUIVER_UPLOAD_URL are required: a token or grant is confirmed only once upload and index apply it.');
    }
    const adapters = await openDistributedAdapters('auth', config);
    const tokenUses = new TokenUseRecorder('auth', adapters.bus);
    const logger = new Logger('access-facts');
    const journal = FactJournal.open({ directory: config.journalDir, bus: adapters.bus, onProblem: (message) => logger.warn(message) });
    const facts = new AccessFacts('auth', journal);
    const [index, upload] = [remoteEventWaiter(config.indexUrl, CONFIRMATION_PATHS.indexAccess), remoteEventWaiter(config.uploadUrl, CONFIRMATION_PATHS.uploadAccess)];
    const module = AuthServiceModule.register({
      database: adapters.database,
      bus: adapters.bus,
      access: new AccessControl(adapters.database, {
        bootstrapAdminSha256: config.adminTokenSha256,
        cacheTtlMs: config.access.cacheTtlMs,
        sharedProjection: true,
        useCounter: new DatabaseTokenUseCounter(adapters.database),
        onUse: factsOnUse(facts, (use) => tokenUses.record(use)),
        directoryGraceMs: config.directory.graceSeconds * 1000,
      }),
      tokenUses,
      facts,
      ...(config.ldap ? { directory: new LdapDirectory(config.ldap), directoryCacheMs: config.directory.cacheSeconds * 1000 } : {}),
      awaitApplied: async (eventId) => {
        await Promise.all([index(eventId), upload(eventId)]);
      },
    });
    return {
      module,
      close: async () => {
        await journal.stop();
        await adapters.close();
      },
    };
  },
});
