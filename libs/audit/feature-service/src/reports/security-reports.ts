import { ScheduledReport } from '@quiver/shared-feature-access';
import type { EventBus, SqlExecutor } from '@quiver/shared-ports';
import { readSecurityReport } from './security-report.repository.js';
import { reportWindow } from './security-report.rules.js';
import type { SecurityReport } from './security-report.js';

export const SECURITY_REPORTS = Symbol('SECURITY_REPORTS');

/** What the security report needs: the audit service's database (its `audit_log`) and a clock. */
export interface SecurityReportDependencies {
  readonly database: SqlExecutor;
  /** The report's clock (tests script it); the real time when absent. */
  readonly clock?: () => Date;
}

/** The security report use case: the window is read against the injected clock. */
export class SecurityReports {
  private readonly clock: () => Date;

  constructor(private readonly deps: SecurityReportDependencies) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The report for `since` (`7d`, `12h` or an ISO time) up to now; undefined when `since` is not one. */
  async report(since: string | undefined): Promise<SecurityReport | undefined> {
    const now = this.clock();
    const window = reportWindow(since, now);
    return window === undefined ? undefined : readSecurityReport(this.deps.database, window, now);
  }

  /** The report for a given window (scheduled runs). */
  between(since: Date, until: Date): Promise<SecurityReport> {
    return readSecurityReport(this.deps.database, { since, until }, this.clock());
  }
}

/** The flat findings a published report carries (one line each, the JSON report has the rest). */
export function securityFindings(report: SecurityReport): string[] {
  return [
    ...report.failedSignIns.byUser.map((row) => `failed sign-ins: ${row.actor} x${row.count}`),
    ...report.failedSignIns.byAddress.map((row) => `failed sign-ins from ${row.clientAddress} x${row.count}`),
    ...report.denials.map((row) => `denied: ${row.actor} from ${row.clientAddress ?? '?'} (401 x${row.unauthorized}, 403 x${row.forbidden})`),
    ...report.emergencyTokenUses.map((row) => `emergency token ${row.tokenId ?? '?'} (${row.actor}) used at ${row.time} from ${row.clientAddress ?? '?'}`),
    ...report.heavyDownloads.map((row) => `token ${row.tokenId} (${row.actor}) downloaded ${row.downloads} files, ${row.previousAverage} per window before`),
    ...report.newAddresses.map((row) => `token ${row.tokenId} (${row.actor}) used from new address ${row.clientAddress}`),
  ];
}

/**
 * The security report on QUIVER_REPORT_SCHEDULE: each run covers the period up to its scheduled
 * moment and is published as a `report.published` fact (service `audit`, `details.report` =
 * `security-report`), so it reaches the log and the public stream.
 */
export function scheduledSecurityReport(
  reports: SecurityReports,
  bus: EventBus,
  schedule: { readonly next: (after: Date) => Date | undefined; readonly periodMs: number },
  options: { readonly clock?: () => Date; readonly onError?: (message: string) => void } = {},
): ScheduledReport {
  return new ScheduledReport({
    service: 'audit',
    report: 'security-report',
    bus,
    next: schedule.next,
    periodMs: schedule.periodMs,
    ...options,
    produce: async (since, until) => {
      const report = await reports.between(since, until);
      return { counts: report.counts, findings: securityFindings(report) };
    },
  });
}
