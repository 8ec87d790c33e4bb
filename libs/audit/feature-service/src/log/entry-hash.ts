import { createHash } from 'node:crypto';
import type { AccessRecorded, FactDetail } from '@quiver/shared-contracts-identity';

/** The hash before the first entry of an unpruned log. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry holds of its fact: the fields the hash covers, in the form the log stores them. */
export interface EntryFields {
  readonly factId: string;
  /** ISO time in UTC with milliseconds (`Date#toISOString`), as read back from the log. */
  readonly time: string;
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
  readonly details: Readonly<Record<string, FactDetail>>;
}

/** One entry of the log: its fields, its place (`seq`), the previous entry's hash and its own. */
export interface AuditEntry extends EntryFields {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

// Postgres text and jsonb cannot hold U+0000: it would make the whole batch fail forever.
// eslint-disable-next-line no-control-regex
const storable = (value: string): string => value.replace(/\u0000/g, '\uFFFD');
const storableOrNull = (value: string | null): string | null => (value === null ? null : storable(value));

/**
 * The entry fields of a fact, normalised to what the log stores and reads back: the time as UTC ISO
 * with milliseconds, no NUL characters, details without nesting.
 */
export function entryFieldsOf(fact: AccessRecorded): EntryFields {
  const details: Record<string, FactDetail> = {};
  for (const [key, value] of Object.entries(fact.details)) {
    details[storable(key)] = typeof value === 'string' ? storable(value) : value;
  }
  return {
    factId: storable(fact.id),
    time: new Date(fact.time).toISOString(),
    service: storable(fact.service),
    action: fact.action,
    outcome: fact.outcome,
    actor: storable(fact.actor),
    tokenId: storableOrNull(fact.tokenId),
    clientAddress: storableOrNull(fact.clientAddress),
    userAgent: storableOrNull(fact.userAgent),
    project: storableOrNull(fact.project),
    version: storableOrNull(fact.version),
    filename: storableOrNull(fact.filename),
    status: fact.status,
    reason: storableOrNull(fact.reason),
    details,
  };
}

/**
 * The canonical serialisation of an entry's fields: a JSON array in a fixed order, details with
 * their keys sorted (jsonb does not keep key order), so the same entry always gives the same bytes.
 * `seq` is not part of it: an entry's place is proved by the chain (its `prev_hash`), and `verify`
 * checks the numbering separately.
 */
export function canonicalEntry(entry: EntryFields): string {
  const details = Object.keys(entry.details)
    .sort()
    .map((key) => [key, entry.details[key] ?? null]);
  return JSON.stringify([
    entry.factId,
    entry.time,
    entry.service,
    entry.action,
    entry.outcome,
    entry.actor,
    entry.tokenId,
    entry.clientAddress,
    entry.userAgent,
    entry.project,
    entry.version,
    entry.filename,
    entry.status,
    entry.reason,
    details,
  ]);
}

/** sha256 (lowercase hex) of the previous entry's hash followed by the entry's canonical form. */
export function entryHash(prevHash: string, entry: EntryFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalEntry(entry)).digest('hex');
}
