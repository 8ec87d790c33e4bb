import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ACCESS_CONTROL, ACCESS_FACTS } from '@quiver/shared-feature-access';
import { healthController } from '@quiver/shared-feature-runtime';
import { AUDIT_DEPENDENCIES, type AuditDependencies } from './audit.ports.js';
import { AuditController } from './http/audit.controller.js';
import { auditLogMigrations } from './log/audit-log.migrations.js';
import { AuditPruner } from './log/audit-pruner.js';
import { AuditWriter } from './log/audit-writer.js';

const AUDIT_WRITER = Symbol('AUDIT_WRITER');

/** TEST ONLY: as a power cut would, between the log's commit and the offset's. */
const crash = (): void => {
  process.kill(process.pid, 'SIGKILL');
};

class AuditLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private pruner: AuditPruner | undefined;

  constructor(
    @Inject(AUDIT_DEPENDENCIES) private readonly deps: AuditDependencies,
    @Inject(AUDIT_WRITER) private readonly writer: AuditWriter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.deps.faultPoint) {
      new Logger('audit').warn(`QUIVER_AUDIT_FAULT_POINT=${this.deps.faultPoint}: this process kills itself after its first batch (tests only)`);
    }
    await this.deps.database.migrate(auditLogMigrations);
    await this.deps.accessProjection.start();
    await this.writer.start();
    this.deps.facts?.start();
    if (this.deps.retentionDays !== undefined) {
      this.pruner = new AuditPruner(this.deps.database, this.deps.retentionDays, this.deps.now);
      this.pruner.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.deps.facts?.stop();
    await this.pruner?.stop();
    await this.writer.stop();
    await this.deps.accessProjection.stop();
  }
}

/**
 * The audit service: the hash-chained log of access facts (written from `quiver.access.v1`), its
 * query and verify API, and retention. Mounted by apps/audit and by the embedded registry.
 */
@Module({})
export class AuditServiceModule {
  static register(deps: AuditDependencies): DynamicModule {
    return {
      module: AuditServiceModule,
      controllers: [healthController('audit'), AuditController],
      providers: [
        { provide: AUDIT_DEPENDENCIES, useValue: deps },
        { provide: ACCESS_CONTROL, useValue: deps.access },
        { provide: ACCESS_FACTS, useValue: deps.facts ?? null },
        { provide: AUDIT_WRITER, useValue: new AuditWriter(deps.database, deps.bus, undefined, deps.faultPoint === 'after_append' ? crash : undefined) },
        AuditLifecycle,
      ],
    };
  }
}
