import type { AccessControl, AccessFacts, AccessProjectionConsumer } from '@quiver/shared-feature-access';
import type { Database, EventBus } from '@quiver/shared-ports';

/** Everything the audit service needs from the outside, chosen by the app's composition root. */
export interface AuditDependencies {
  readonly database: Database;
  readonly bus: EventBus;
  /** Who a presented API token acts for (only administrators read the log), from this service's access projection. */
  readonly access: AccessControl;
  readonly accessProjection: AccessProjectionConsumer;
  /** Where this service's access facts go (denials at its door); absent: none are recorded. */
  readonly facts?: AccessFacts;
  /** `QUIVER_AUDIT_RETENTION_DAYS`: entries older than this are pruned (whole checkpoint stretches); absent keeps all. */
  readonly retentionDays?: number;
  /**
   * TEST ONLY (`QUIVER_AUDIT_FAULT_POINT`): `after_append` makes the process SIGKILL itself once a
   * batch is committed and before its offset is, so the suite proves a redelivered batch is logged once.
   */
  readonly faultPoint?: 'after_append';
  /** `QUIVER_REPORT_SCHEDULE`: when the security report is published as a `report.published` fact; absent: never. */
  readonly reportSchedule?: { readonly next: (after: Date) => Date | undefined; readonly periodMs: number };
  /**
   * Whether the log is published as the public stream (`quiver.audit.v1`, ADR 19). The embedded
   * registry says no: its bus is in-process, no outside consumer can read it, and a topic nobody
   * follows would keep every event in memory.
   */
  readonly publicStream?: boolean;
  /** The pruner's clock (tests inject one). */
  readonly now?: () => Date;
}

export const AUDIT_DEPENDENCIES = Symbol('AUDIT_DEPENDENCIES');
