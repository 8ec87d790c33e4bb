/**
 * The public shape of the audit stream `quiver.audit.v1`: one CloudEvents 1.0 event per audit log
 * entry, in structured JSON mode (the whole event is the Kafka record's value). It is mapped field
 * by field from the log's row, so the log's columns and the internal access facts can change
 * without changing it. Described by docs/stream/asyncapi.yaml and docs/stream/schemas/audit-event.json;
 * docs/adr/0019-public-audit-stream.md has the versioning rule.
 */

export const AUDIT_STREAM_TOPIC = 'quiver.audit.v1';

/** `type` is this prefix plus the entry's action: `dev.quiver.audit.file.download`. */
export const AUDIT_EVENT_TYPE_PREFIX = 'dev.quiver.audit.';

/** The CloudEvents Kafka binding's `content-type` header for structured mode. */
export const CLOUDEVENTS_JSON_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/**
 * Every record's Kafka key: one key keeps the whole stream in one partition, in log order, even
 * when an operator adds partitions to the topic.
 */
export const AUDIT_STREAM_KEY = 'quiver-audit-log';

export type PublicDetail = string | number | boolean | null;

/** An audit_log row as the relay selects it (`seq` as text: bigint; `time` as ISO text, UTC). */
export interface AuditLogRow {
  readonly seq: string;
  readonly fact_id: string;
  readonly time: string;
  readonly service: string;
  readonly action: string;
  readonly outcome: string;
  readonly actor: string;
  readonly token_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly project: string | null;
  readonly version: string | null;
  readonly filename: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
  readonly prev_hash: string;
  readonly hash: string;
}

/** The event's `data`: one audit log entry as the public contract names it. */
export interface PublicAuditEntry {
  readonly seq: number;
  readonly service: string;
  readonly action: string;
  readonly outcome: string;
  readonly actor: string;
  readonly tokenId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly project: string | null;
  readonly version: string | null;
  readonly filename: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, PublicDetail>>;
  readonly hash: string;
  readonly prevHash: string;
}

export interface AuditCloudEvent {
  readonly specversion: '1.0';
  /** The fact's id: the same entry published twice carries the same id (consumers dedupe by it). */
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  /** The project, when the entry concerns one (absent otherwise, as CloudEvents wants). */
  readonly subject?: string;
  readonly datacontenttype: 'application/json';
  readonly data: PublicAuditEntry;
}

const isPublicDetail = (value: unknown): value is PublicDetail => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Flat details only: a nested value (never written by Quiver's services) is passed on as its JSON text. */
function publicDetails(details: Readonly<Record<string, unknown>> | null): Record<string, PublicDetail> {
  const result: Record<string, PublicDetail> = {};
  for (const [name, value] of Object.entries(details ?? {})) {
    result[name] = isPublicDetail(value) ? value : JSON.stringify(value);
  }
  return result;
}

export function toPublicEntry(row: AuditLogRow): PublicAuditEntry {
  return {
    seq: Number(row.seq),
    service: row.service,
    action: row.action,
    outcome: row.outcome,
    actor: row.actor,
    tokenId: row.token_id,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    project: row.project,
    version: row.version,
    filename: row.filename,
    status: row.status,
    reason: row.reason,
    details: publicDetails(row.details),
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}

export function toAuditCloudEvent(row: AuditLogRow): AuditCloudEvent {
  return {
    specversion: '1.0',
    id: row.fact_id,
    source: `/quiver/${row.service}`,
    type: `${AUDIT_EVENT_TYPE_PREFIX}${row.action}`,
    time: row.time,
    ...(row.project === null ? {} : { subject: row.project }),
    datacontenttype: 'application/json',
    data: toPublicEntry(row),
  };
}
