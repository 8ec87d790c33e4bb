import { InvalidArgumentError, type Command } from 'commander';
import { fields, printable, text, withToken, type ApiRequest, type CommandPlan, type Printed } from './plan.js';
import { oneOf, positiveNumber } from './option-values.js';
import type { Submit } from './submit.js';

/** The columns of `audit export --format csv`, in order (entries' camelCase field names). */
export const CSV_COLUMNS = [
  'seq',
  'time',
  'actor',
  'action',
  'outcome',
  'service',
  'project',
  'version',
  'filename',
  'tokenId',
  'clientAddress',
  'userAgent',
  'status',
  'reason',
  'details',
  'factId',
  'prevHash',
  'hash',
] as const;

const PAGE = 1000;
const FOLLOW_POLL_MS = 1000;
const UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** `7d`, `12h`, `30m`, `45s` (that long before now) or an ISO 8601 time, as an ISO time. */
export function timeOption(now: () => Date): (value: string) => string {
  return (value) => {
    const relative = /^([0-9]{1,6})([dhms])$/.exec(value);
    if (relative) {
      return new Date(now().getTime() - Number(relative[1]) * UNITS[relative[2] as keyof typeof UNITS]).toISOString();
    }
    if (/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))) {
      return new Date(value).toISOString();
    }
    throw new InvalidArgumentError('Expected a duration back from now such as 7d, 12h or 30m, or an ISO 8601 time such as 2026-12-01T00:00:00Z.');
  };
}

export interface ExportOptions {
  readonly since?: string;
  readonly until?: string;
  readonly format?: string;
  readonly actor?: string;
  readonly token?: string;
  readonly project?: string;
  readonly action?: string;
  readonly outcome?: string;
}

/** `audit export|tail|verify`: the audit log, from the audit service (admin). */
export function registerAuditCommands(program: Command, submit: Submit, now: () => Date = () => new Date()): void {
  const audit = program.command('audit').summary('export, follow and verify the audit log').description('Export, follow and verify the audit log (administrators only).');
  const filters = (command: Command): Command =>
    command
      .option('--actor <name>', 'only what this principal did (or the name tried at a failed sign-in)')
      .option('--token <id>', 'only requests with this token (tk_…)')
      .option('--project <name>', 'only entries about this project')
      .option('--action <action>', 'only this action, such as file.download, package.upload, auth.denied')
      .option('--outcome <outcome>', 'success, denied, refused or failed', oneOf(['success', 'denied', 'refused', 'failed']));

  filters(
    audit
      .command('export')
      .summary('write the audit log to standard output (JSON lines or CSV)')
      .description('Write the entries of the audit log to standard output, oldest first, one JSON object a line or CSV with a header row.')
      .option('--since <when>', 'entries from this time: a duration back from now (7d, 12h) or an ISO 8601 time', timeOption(now))
      .option('--until <when>', 'entries before this time (same forms as --since)', timeOption(now))
      .option('--format <format>', 'jsonl (default) or csv', oneOf(['jsonl', 'csv'])),
  ).action((options: ExportOptions) => submit(auditExportPlan(options)));

  filters(
    audit
      .command('tail')
      .summary('show the latest entries, and with --follow new ones as they are logged')
      .option('-n, --lines <n>', 'how many of the latest entries (default 10)', positiveNumber)
      .option('-f, --follow', 'keep polling for new entries until interrupted')
      .option('--format <format>', 'text (default) or jsonl', oneOf(['text', 'jsonl'])),
  ).action((options: ExportOptions & { lines?: number; follow?: boolean }) => submit(auditTailPlan(options)));

  audit
    .command('verify')
    .summary("check the log's hash chain: exit 0 with the count, or 1 naming the first broken entry")
    .action(() => submit(auditVerifyPlan()));
}

const query = (values: Readonly<Record<string, string | number | undefined>>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) {
      search.set(name, String(value));
    }
  }
  return search.toString();
};

const filterValues = (options: ExportOptions): Record<string, string | undefined> => ({
  actor: options.actor,
  token: options.token,
  project: options.project,
  action: options.action,
  outcome: options.outcome,
});

const entriesOf = (body: unknown): Readonly<Record<string, unknown>>[] => {
  const entries = fields(body)['entries'];
  return Array.isArray(entries) ? entries.map(fields) : [];
};

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =, +, -, @ is escaped so spreadsheets do not run it. */
export function csvField(value: unknown): string {
  const raw = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value === null || value === undefined ? '' : JSON.stringify(value);
  const safe = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvRow = (values: readonly unknown[]): string => `${values.map(csvField).join(',')}\r\n`;

const exportPage =
  (format: string) =>
  (body: unknown, page = 0): Printed => {
    const entries = entriesOf(body);
    if (format === 'csv') {
      return { stdout: `${page === 0 ? csvRow(CSV_COLUMNS) : ''}${entries.map((entry) => csvRow(CSV_COLUMNS.map((column) => entry[column]))).join('')}` };
    }
    return { stdout: entries.map((entry) => `${JSON.stringify(entry)}\n`).join('') };
  };

export function auditExportPlan(options: ExportOptions): CommandPlan {
  const base = { ...filterValues(options), since: options.since, until: options.until, limit: PAGE };
  const request = (after?: string): ApiRequest => ({ method: 'GET', path: `/api/audit?${query({ ...base, after })}` });
  return {
    request: request(),
    credentials: withToken,
    show: exportPage(options.format ?? 'jsonl'),
    paging: {
      next: (body) => {
        const next = fields(body)['next'];
        return typeof next === 'string' ? { request: request(next) } : undefined;
      },
    },
  };
}

/** An entry as one line for people: time, who, what, how it ended, about what, from where. */
export function tailLine(entry: Readonly<Record<string, unknown>>): string {
  const about = [entry['project'], entry['version'], entry['filename']].filter((value) => typeof value === 'string').map(text).join(' ');
  const parts = [
    text(entry['seq']),
    text(entry['time']),
    text(entry['actor']),
    text(entry['action']),
    text(entry['outcome']),
    about || '-',
    typeof entry['tokenId'] === 'string' ? text(entry['tokenId']) : '-',
    typeof entry['clientAddress'] === 'string' ? text(entry['clientAddress']) : '-',
    ...(typeof entry['reason'] === 'string' ? [`(${text(entry['reason'])})`] : []),
  ];
  return `${parts.join('  ')}\n`;
}

export function auditTailPlan(options: ExportOptions & { lines?: number; follow?: boolean }): CommandPlan {
  const filters = filterValues(options);
  const line = options.format === 'jsonl' ? (entry: Readonly<Record<string, unknown>>): string => `${JSON.stringify(entry)}\n` : tailLine;
  let last: string | undefined;
  const follow = (after: string): ApiRequest => ({ method: 'GET', path: `/api/audit?${query({ ...filters, after, limit: PAGE })}` });
  return {
    // The latest n, newest first; printed oldest first.
    request: { method: 'GET', path: `/api/audit?${query({ ...filters, order: 'desc', limit: options.lines ?? 10 })}` },
    credentials: withToken,
    show: (body, page = 0) => {
      const entries = entriesOf(body);
      return { stdout: (page === 0 ? [...entries].reverse() : entries).map(line).join('') };
    },
    ...(options.follow
      ? {
          paging: {
            next: (body) => {
              const entries = entriesOf(body);
              const seqs = entries.map((entry) => entry['seq']).filter((seq): seq is number => typeof seq === 'number');
              if (seqs.length > 0) {
                last = String(Math.max(...seqs));
              }
              // Nothing new (or a short page): wait before asking again; a full page: ask at once.
              const full = entries.length === PAGE && last !== undefined && fields(body)['next'] !== null;
              return { request: follow(last ?? '0'), ...(full ? {} : { delayMs: FOLLOW_POLL_MS }) };
            },
          },
        }
      : {}),
  };
}

export const auditVerifyPlan = (): CommandPlan => ({
  request: { method: 'GET', path: '/api/audit/verify' },
  credentials: withToken,
  findings: (body) => fields(body)['ok'] !== true,
  show: (body) => {
    const answer = fields(body);
    if (answer['ok'] === true) {
      return { stdout: `audit log verified: ${text(answer['count'])} entries, hash chain intact\n` };
    }
    const broken = fields(answer['firstBroken']);
    return {
      stderr: `audit log broken: first broken entry ${text(broken['seq'])} (${text(broken['reason'])})${typeof broken['message'] === 'string' ? `: ${printable(broken['message'])}` : ''}; ${text(answer['count'])} entries verified before it\n`,
    };
  },
});
