import './instrument.js';
import { tmpdir } from 'node:os';
import { Logger } from '@nestjs/common';
import { AccessFacts, FactJournal, RemoteTokenUseCounter, serviceAccess } from '@quiver/shared-feature-access';
import { CONFIRMATION_PATHS, openDistributedAdapters, remoteEventWaiter, runService } from '@quiver/shared-feature-runtime';
import { UploadServiceModule } from '@quiver/upload-feature-service';

await runService({
  name: 'upload',
  defaultMode: 'distributed',
  compose: async (config) => {
    if (!config.indexUrl) {
      throw new Error('QUIVER_INDEX_URL is required: uploads answer only once the index serves them (read-your-writes).');
    }
    if (!config.authUrl) {
      throw new Error('QUIVER_AUTH_URL is required: tokens issued with a use limit are counted by the auth service.');
    }
    const adapters = await openDistributedAdapters('upload', config);
    const logger = new Logger('access-facts');
    const journal = FactJournal.open({ directory: config.journalDir, bus: adapters.bus, onProblem: (message) => logger.warn(message) });
    const module = UploadServiceModule.register({
      ...adapters,
      ...serviceAccess('upload', adapters.database, adapters.bus, {
        bootstrapAdminSha256: config.adminTokenSha256,
        cacheTtlMs: config.access.cacheTtlMs,
        sharedProjection: true,
        useCounter: new RemoteTokenUseCounter(config.authUrl),
        directoryGraceMs: config.directory.graceSeconds * 1000,
      }, new AccessFacts('upload', journal)),
      awaitIndexed: remoteEventWaiter(config.indexUrl, CONFIRMATION_PATHS.indexedPackages),
      limits: {
        maxFileBytes: config.upload.maxFileBytes,
        projectQuotaBytes: config.upload.projectQuotaBytes,
        newProjectsPerHour: config.upload.newProjectsPerHour,
        disallowNewProjects: config.upload.disallowNewProjects,
        prohibitedProjectNames: config.upload.prohibitedProjectNames,
      },
      tempDir: config.upload.tempDir ?? tmpdir(),
      maintenance: config.maintenance,
      ...(config.docsUrl ? { docsUrl: config.docsUrl } : {}),
      ...(config.faultPoint ? { faultPoint: config.faultPoint } : {}),
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
