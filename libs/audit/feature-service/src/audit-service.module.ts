import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ACCESS_CONTROL, ACCESS_FACTS, type ScheduledReport } from '@quiver/shared-feature-access';
import { healthController } from '@quiver/shared-feature-runtime';
import { AUDIT_DEPENDENCIES, type AuditDependencies } from './audit.ports.js';
import { AuditController } from './http/audit.controller.js';
import { auditLogMigrations } from './log/audit-log.migrations.js';
import { AuditPruner } from './log/audit-pruner.js';
import { AuditWriter } from './log/audit-writer.js';
import { SecurityReportController } from './reports/security-report.controller.js';
import { scheduledSecurityReport, SECURITY_REPORTS, SecurityReports } from './reports/security-reports.js';
import { auditStreamMigrations } from './stream/audit-stream.migrations.js';
import { AuditStreamRelay } from './stream/audit-stream-relay.js';

const AUDIT_WRITER = Symbol('AUDIT_WRITER');

/** TEST ONLY: as a power cut would, between the log's commit and the offset's. */
const crash = (): void => {
  process.kill(process.pid, 'SIGKILL');
};

class AuditLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private pruner: AuditPruner | undefined;
  private readonly stream: AuditStreamRelay | undefined;
  private readonly scheduled: ScheduledReport | undefined;

  constructor(
    @Inject(AUDIT_DEPENDENCIES) private readonly deps: AuditDependencies,
    @Inject(AUDIT_WRITER) private readonly writer: AuditWriter,
    @Inject(SECURITY_REPORTS) reports: SecurityReports,
  ) {
    const logger = new Logger('audit');
    this.stream = deps.publicStream === false ? undefined : new AuditStreamRelay(deps.database, deps.bus, { warn: (message) => logger.warn(message) });
    this.scheduled = deps.reportSchedule ? scheduledSecurityReport(reports, deps.bus, deps.reportSchedule, { onError: (message) => logger.warn(message) }) : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.deps.faultPoint) {
      new Logger('audit').warn(`QUIVER_AUDIT_FAULT_POINT=${this.deps.faultPoint}: this process kills itself after its first batch (tests only)`);
    }
    await this.deps.database.migrate([...auditLogMigrations, ...auditStreamMigrations]);
    await this.deps.accessProjection.start();
    await this.writer.start();
    this.deps.facts?.start();
    this.stream?.start();
    this.scheduled?.start();
    if (this.deps.retentionDays !== undefined) {
      this.pruner = new AuditPruner(this.deps.database, this.deps.retentionDays, this.deps.now);
      this.pruner.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.deps.facts?.stop();
    await this.scheduled?.stop();
    await this.stream?.stop();
    await this.pruner?.stop();
    await this.writer.stop();
    await this.deps.accessProjection.stop();
  }
}

/**
 * The audit service: the hash-chained log of access facts (written from `quiver.access.v1`), its
 * query and verify API, retention, the public stream (`quiver.audit.v1`) and the security report. Mounted by apps/audit and by the embedded registry.
 */
@Module({})
export class AuditServiceModule {
  static register(deps: AuditDependencies): DynamicModule {
    return {
      module: AuditServiceModule,
      controllers: [healthController('audit'), AuditController, SecurityReportController],
      providers: [
        { provide: AUDIT_DEPENDENCIES, useValue: deps },
        { provide: ACCESS_CONTROL, useValue: deps.access },
        { provide: ACCESS_FACTS, useValue: deps.facts ?? null },
        { provide: SECURITY_REPORTS, useValue: new SecurityReports({ database: deps.database }) },
        { provide: AUDIT_WRITER, useValue: new AuditWriter(deps.database, deps.bus, undefined, deps.faultPoint === 'after_append' ? crash : undefined) },
        AuditLifecycle,
      ],
    };
  }
}
