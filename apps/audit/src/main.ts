import './instrument.js';
import { AuditServiceModule } from '@quiver/audit-feature-service';
import { Logger } from '@nestjs/common';
import { AccessFacts, FactJournal, RemoteTokenUseCounter, serviceAccess } from '@quiver/shared-feature-access';
import { openDistributedAdapters, runService } from '@quiver/shared-feature-runtime';
import { nextReportRun, reportPeriodMs } from '@quiver/shared-util-config';

await runService({
  name: 'audit',
  defaultMode: 'distributed',
  compose: async (config) => {
    if (!config.authUrl) {
      throw new Error('QUIVER_AUTH_URL is required: tokens issued with a use limit are counted by the auth service.');
    }
    const adapters = await openDistributedAdapters('audit', config);
    const logger = new Logger('access-facts');
    const journal = FactJournal.open({ directory: config.journalDir, bus: adapters.bus, onProblem: (message) => logger.warn(message) });
    const module = AuditServiceModule.register({
      database: adapters.database,
      bus: adapters.bus,
      ...serviceAccess('audit', adapters.database, adapters.bus, {
        bootstrapAdminSha256: config.adminTokenSha256,
        cacheTtlMs: config.access.cacheTtlMs,
        sharedProjection: true,
        useCounter: new RemoteTokenUseCounter(config.authUrl),
        directoryGraceMs: config.directory.graceSeconds * 1000,
      }, new AccessFacts('audit', journal)),
      ...(config.audit.retentionDays === undefined ? {} : { retentionDays: config.audit.retentionDays }),
      ...(config.audit.faultPoint === undefined ? {} : { faultPoint: config.audit.faultPoint }),
      ...(config.reports.schedule.every === 'off' ? {} : { reportSchedule: { next: (after: Date) => nextReportRun(config.reports.schedule, after), periodMs: reportPeriodMs(config.reports.schedule) } }),
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
