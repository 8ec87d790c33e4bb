import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';

/**
 * Quiver's settings, read once at boot from the environment into one typed, grouped object.
 * Anything invalid stops the process with every problem listed (fail fast).
 */
import { loadDirectoryTiming, loadLdapConfig, type DirectoryTiming, type LdapConfig } from './ldap-config.js';
import { parseReportSchedule, type ReportSchedule } from './report-schedule.js';

export type RunMode = 'embedded' | 'distributed';

/** Test-only crash points of the upload service (RELIABILITY F7); never set in production. */
export const FAULT_POINTS = ['after_blob_put', 'after_db_commit_before_response'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** The orphan grace a setting may give at least: it must outlast any upload in flight. */
const MIN_ORPHAN_GRACE_SECONDS = 60;

export interface QuiverConfig {
  readonly mode: RunMode;
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Longest pause between two pieces of a request body (a stalled upload is answered 408 and closed). */
    readonly bodyIdleMs: number;
    /** Longest time a request body may take from the headers to its last byte. */
    readonly bodyTimeoutMs: number;
    /**
     * Address ranges of the proxies in front (the Ingress, nginx): only from them is
     * `X-Forwarded-For` believed for the client's address (token address ranges, sign-in limits).
     */
    readonly trustedProxies: readonly string[];
  };
  readonly dataDir: string;
  /**
   * Where access facts are journaled before they are published (QUIVER_JOURNAL_DIR): embedded,
   * `<dataDir>/journal`; distributed, `<os temp dir>/quiver-journal-<service>`.
   */
  readonly journalDir: string;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly database: { readonly url?: string };
  /** Embedded mode only: Postgres's buffer pool (`shared_buffers`) of each of its four PGlite databases (upload, index, auth, audit). */
  readonly embedded: { readonly databaseBuffersBytes: number };
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly s3: {
    readonly endpoint?: string;
    readonly bucket: string;
    readonly region: string;
    readonly accessKey?: string;
    readonly secretKey?: string;
  };
  readonly telemetry: { readonly otlpEndpoint?: string; readonly serviceName: string };
  readonly upload: {
    readonly maxFileBytes: number;
    readonly tempDir?: string;
    /** Largest total size of one project's live files. */
    readonly projectQuotaBytes: number;
    /** New projects one principal may create per hour; 0 turns the limit off. */
    readonly newProjectsPerHour: number;
    /** Names (besides the built-in ones and the standard library's) that new projects may not take. */
    readonly prohibitedProjectNames: readonly string[];
    /** No upload may create a new project (uploads to existing projects go on). */
    readonly disallowNewProjects: boolean;
  };
  readonly index: {
    /** Budget for the checked bytes of small files (≤ 1 MiB) the index keeps in memory; 0 keeps none. */
    readonly fileCacheBytes: number;
    /** Budget for rendered Simple API pages the index keeps in memory; 0 keeps none. */
    readonly pageCacheBytes: number;
    /** Project-page reads are recorded as one `pages.read` fact per project, principal and token per this interval. */
    readonly pageReadsIntervalMs: number;
  };
  /** sha256 of the bootstrap administrator's token (distributed mode; embedded mode keeps it in the data dir). */
  readonly adminTokenSha256?: string;
  /** Where the upload and auth services ask the index whether an event is applied yet (distributed mode). */
  readonly indexUrl?: string;
  /** Where the auth service asks the upload service whether an identity event is applied yet (distributed mode). */
  readonly uploadUrl?: string;
  /** Where index and upload take a use of a token issued with a use limit (the auth service keeps the one count). */
  readonly authUrl?: string;
  /** Where this deployment publishes Quiver's `docs/` directory; messages link to pages under it. */
  readonly docsUrl?: string;
  readonly access: {
    /**
     * How long a verified token (principal and grants) is reused without a database read. A revoked
     * token or grant keeps working for at most this long on a replica that did not apply the change.
     */
    readonly cacheTtlMs: number;
  };
  /** The audit service's log. */
  readonly audit: {
    /** `QUIVER_AUDIT_RETENTION_DAYS`: entries older than this many days are pruned; absent keeps everything. */
    readonly retentionDays?: number;
    /** TEST ONLY (`QUIVER_AUDIT_FAULT_POINT=after_append`): the audit service SIGKILLs itself after a batch is committed, before its offset is. */
    readonly faultPoint?: 'after_append';
  };
  /** The upload service's blob maintenance: orphan GC. */
  readonly maintenance: {
    /** A blob no file references is deleted only once it is older than this (longer than any upload). */
    readonly orphanGraceSeconds: number;
    /** How often each upload replica runs the orphan GC; 0: only on demand. */
    readonly gcIntervalSeconds: number;
  };
  /** TEST ONLY: the upload process SIGKILLs itself at this point of a publish. */
  readonly faultPoint?: FaultPoint;
  /** LDAP federation (QUIVER_LDAP_*); absent unless QUIVER_LDAP_URL is set. */
  readonly ldap?: LdapConfig;
  /** The directory's timing (QUIVER_LDAP_CACHE_SECONDS, QUIVER_LDAP_GRACE_SECONDS), read by every service. */
  readonly directory: DirectoryTiming;
  /** Scheduled access reviews (auth) and security reports (audit), published as `report.published` facts. */
  readonly reports: {
    /** QUIVER_REPORT_SCHEDULE: `off` (default), `daily[@HH:MM]`, `weekly[@<day> HH:MM]` (UTC). */
    readonly schedule: ReportSchedule;
    /** QUIVER_REVIEW_UNUSED_DAYS (default 90): a token unused this long is flagged by the scheduled review. */
    readonly reviewUnusedDays: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env, defaults: { readonly serviceName: string; readonly mode: RunMode }): QuiverConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, not '${value}'.`);
      return fallback;
    }
    return value as T;
  };
  const port = (name: string, fallback: number): number => {
    const raw = text(name);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65_535) {
      problems.push(`${name} must be a TCP port (0-65535), not '${raw ?? ''}'.`);
      return fallback;
    }
    return value;
  };
  const url = (name: string): string | undefined => {
    const value = text(name);
    if (value !== undefined && !URL.canParse(value)) {
      problems.push(`${name} must be a URL.`); // never echo it: it may carry a password
      return undefined;
    }
    return value;
  };

  const bytes = (name: string, fallback: number, max: number): number => {
    const raw = text(name);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      problems.push(`${name} must be a whole number of bytes from 1 to ${max}, not '${raw ?? ''}'.`);
      return fallback;
    }
    return value;
  };
  const count = (name: string, fallback: number): number => {
    const raw = text(name);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(value) || value < 0 || (raw !== undefined && !/^[0-9]+$/.test(raw))) {
      problems.push(`${name} must be a whole number (0 or more), not '${raw ?? ''}'.`);
      return fallback;
    }
    return value;
  };
  const seconds = (name: string, fallback: number): number => {
    const value = count(name, fallback);
    if (value === 0) {
      problems.push(`${name} must be at least 1 second.`);
      return fallback;
    }
    return value;
  };
  const days = (name: string): number => {
    const value = count(name, 1);
    if (value < 1 || value > 36_500) {
      problems.push(`${name} must be a whole number of days from 1 to 36500 (leave it unset to keep everything).`);
    }
    return value;
  };
  const ranges = (name: string): string[] => {
    const listed = (text(name) ?? '').split(',').map((item) => item.trim()).filter(Boolean);
    const invalid = listed.find((item) => !(ipaddr.isValidCIDR(item) || ipaddr.isValid(item)) || (!item.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(item.split('/')[0] ?? '')));
    if (invalid !== undefined) {
      problems.push(`${name} must be a comma-separated list of addresses or CIDR ranges; not one: '${invalid.slice(0, 60)}'.`);
    }
    return listed;
  };
  const flag = (name: string): boolean => {
    const value = text(name)?.toLowerCase();
    if (value === undefined || value === 'false') {
      return false;
    }
    if (value !== 'true') {
      problems.push(`${name} must be true or false.`);
    }
    return value === 'true';
  };
  const names = (name: string): string[] => {
    const listed = (text(name) ?? '').split(',').map((item) => item.trim()).filter(Boolean);
    const invalid = listed.filter((item) => !/^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i.test(item));
    if (invalid.length > 0) {
      problems.push(`${name} must be a comma-separated list of project names; not a name: '${invalid[0]?.slice(0, 60) ?? ''}'.`);
    }
    return listed;
  };
  const adminHash = text('QUIVER_ADMIN_TOKEN_SHA256');
  if (adminHash !== undefined && !/^[0-9a-f]{64}$/.test(adminHash)) {
    problems.push('QUIVER_ADMIN_TOKEN_SHA256 must be 64 lowercase hex characters (the sha256 of the token).');
  }

  const mode = oneOf('QUIVER_MODE', ['embedded', 'distributed'] as const, defaults.mode);
  const config: QuiverConfig = {
    mode,
    http: {
      host: text('QUIVER_HOST') ?? '127.0.0.1',
      port: port('QUIVER_PORT', 8080),
      bodyIdleMs: seconds('QUIVER_BODY_IDLE_SECONDS', 60) * 1000,
      bodyTimeoutMs: seconds('QUIVER_BODY_TIMEOUT_SECONDS', 3600) * 1000,
      trustedProxies: ranges('QUIVER_TRUSTED_PROXIES'),
    },
    dataDir: text('QUIVER_DATA_DIR') ?? './.quiver',
    journalDir: text('QUIVER_JOURNAL_DIR') ?? (mode === 'embedded' ? join(text('QUIVER_DATA_DIR') ?? './.quiver', 'journal') : join(tmpdir(), `quiver-journal-${defaults.serviceName}`)),
    logLevel: oneOf('QUIVER_LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
    database: withOptional('url', url('QUIVER_DATABASE_URL')),
    embedded: { databaseBuffersBytes: bytes('QUIVER_EMBEDDED_DB_BUFFERS_BYTES', 16 * 1024 * 1024, 1024 * 1024 * 1024) },
    kafka: {
      brokers: (text('QUIVER_KAFKA_BROKERS') ?? '').split(',').map((broker) => broker.trim()).filter(Boolean),
      clientId: text('QUIVER_KAFKA_CLIENT_ID') ?? `quiver-${defaults.serviceName}`,
    },
    s3: {
      ...withOptional('endpoint', url('QUIVER_S3_ENDPOINT')),
      bucket: text('QUIVER_S3_BUCKET') ?? 'quiver',
      region: text('QUIVER_S3_REGION') ?? 'us-east-1',
      ...withOptional('accessKey', text('QUIVER_S3_ACCESS_KEY')),
      ...withOptional('secretKey', text('QUIVER_S3_SECRET_KEY')),
    },
    telemetry: {
      ...withOptional('otlpEndpoint', url('OTEL_EXPORTER_OTLP_ENDPOINT')),
      serviceName: text('OTEL_SERVICE_NAME') ?? `quiver-${defaults.serviceName}`,
    },
    upload: {
      maxFileBytes: bytes('QUIVER_MAX_UPLOAD_BYTES', 100 * 1024 * 1024, 1024 * 1024 * 1024),
      ...withOptional('tempDir', text('QUIVER_TEMP_DIR')),
      projectQuotaBytes: bytes('QUIVER_PROJECT_QUOTA_BYTES', 10 * 1024 * 1024 * 1024, 2 ** 50),
      newProjectsPerHour: count('QUIVER_NEW_PROJECTS_PER_HOUR', 20),
      prohibitedProjectNames: names('QUIVER_PROHIBITED_PROJECT_NAMES'),
      disallowNewProjects: flag('QUIVER_DISALLOW_NEW_PROJECTS'),
    },
    index: {
      fileCacheBytes: count('QUIVER_FILE_CACHE_BYTES', 64 * 1024 * 1024),
      pageCacheBytes: count('QUIVER_PAGE_CACHE_BYTES', 128 * 1024 * 1024),
      pageReadsIntervalMs: seconds('QUIVER_PAGE_READS_SECONDS', 60) * 1000,
    },
    ...withOptional('adminTokenSha256', adminHash),
    ...withOptional('indexUrl', url('QUIVER_INDEX_URL')),
    ...withOptional('uploadUrl', url('QUIVER_UPLOAD_URL')),
    ...withOptional('authUrl', url('QUIVER_AUTH_URL')),
    ...withOptional('docsUrl', url('QUIVER_DOCS_URL')),
    access: { cacheTtlMs: count('QUIVER_ACCESS_CACHE_SECONDS', 10) * 1000 },
    audit: {
      ...withOptional('retentionDays', text('QUIVER_AUDIT_RETENTION_DAYS') === undefined ? undefined : days('QUIVER_AUDIT_RETENTION_DAYS')),
      ...withOptional('faultPoint', text('QUIVER_AUDIT_FAULT_POINT') === undefined ? undefined : oneOf('QUIVER_AUDIT_FAULT_POINT', ['after_append'] as const, 'after_append')),
    },
    maintenance: {
      orphanGraceSeconds: count('QUIVER_ORPHAN_GRACE_SECONDS', 3600),
      gcIntervalSeconds: count('QUIVER_GC_INTERVAL_SECONDS', 3600),
    },
    ...withOptional('faultPoint', text('QUIVER_FAULT_POINT') === undefined ? undefined : oneOf('QUIVER_FAULT_POINT', FAULT_POINTS, FAULT_POINTS[0])),
    ...withOptional('ldap', loadLdapConfig(env, problems)),
    directory: loadDirectoryTiming(env, problems),
    reports: { schedule: reportSchedule(text('QUIVER_REPORT_SCHEDULE'), problems), reviewUnusedDays: count('QUIVER_REVIEW_UNUSED_DAYS', 90) },
  };
  if (config.reports.reviewUnusedDays < 1 || config.reports.reviewUnusedDays > 3650) {
    problems.push('QUIVER_REVIEW_UNUSED_DAYS must be a whole number of days from 1 to 3650.');
  }
  if (config.maintenance.orphanGraceSeconds < MIN_ORPHAN_GRACE_SECONDS) {
    problems.push(`QUIVER_ORPHAN_GRACE_SECONDS must be at least ${MIN_ORPHAN_GRACE_SECONDS}: a shorter grace could delete the blob of an upload still in flight.`);
  }
  if (mode === 'distributed') {
    if (!config.database.url) {
      problems.push('QUIVER_DATABASE_URL is required in distributed mode.');
    }
    if (config.kafka.brokers.length === 0) {
      problems.push('QUIVER_KAFKA_BROKERS is required in distributed mode.');
    }
    if (!config.s3.endpoint || !config.s3.accessKey || !config.s3.secretKey) {
      problems.push('QUIVER_S3_ENDPOINT, QUIVER_S3_ACCESS_KEY and QUIVER_S3_SECRET_KEY are required in distributed mode.');
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

function reportSchedule(text: string | undefined, problems: string[]): ReportSchedule {
  const parsed = parseReportSchedule(text);
  if (!parsed.ok) {
    problems.push(parsed.message);
    return { every: 'off' };
  }
  return parsed.schedule;
}

function withOptional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
