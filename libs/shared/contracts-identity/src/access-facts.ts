/**
 * Access facts: what happened at the door of each service, published on `quiver.access.v1`.
 * Facts are not event-sourced: each carries its own id, so a consumer that sees one twice can tell.
 *
 * Two kinds travel on the topic:
 * - `TokensUsed`: the tokens one service saw used since its last such fact (the auth service keeps
 *   tokens' last use from them);
 * - `AccessRecorded`: one thing that happened (a download, an upload, a refusal, a sign-in, a
 *   denial, a token or grant change, …), which the audit service logs exactly once.
 *
 * A message's value is one or more facts as JSON lines (`encodeAccessFacts`), so a service can ship
 * a batch in one message; `decodeAccessFacts` reads both that and a single JSON object.
 */
import { InvalidEventError, isObject, isString } from '@quiver/shared-contracts-packages';

export const ACCESS_FACTS_TOPIC = 'quiver.access.v1';

export interface TokenUse {
  readonly tokenId: string;
  /** ISO time of the last request the token authenticated in this batch. */
  readonly at: string;
  /** The client's address as the service saw it (behind trusted proxies: the forwarded one). */
  readonly address: string;
}

/** The tokens one service saw used since its last such fact, each with its latest use. */
export interface TokensUsed {
  readonly id: string;
  readonly type: 'TokensUsed';
  readonly schemaVersion: 1;
  readonly service: string;
  readonly recordedAt: string;
  readonly data: { readonly uses: readonly TokenUse[] };
}

/**
 * What an access fact records. Dotted, lower case, stable: the audit log and the public stream
 * carry them as they are.
 */
export const ACCESS_ACTIONS = [
  'file.download', // a distribution file served (GET; not HEAD)
  'metadata.download', // a PEP 658 `.metadata` file served
  'pages.read', // project-page and JSON reads, counted per project and principal (details.count)
  'package.upload', // an upload answered 200 (details.sha256, details.bytes)
  'package.yank',
  'package.unyank',
  'package.delete',
  'auth.login', // a sign-in (POST /api/auth/login or Basic with a directory password)
  'auth.denied', // a 401 or 403 at any door (details.reason)
  'token.create',
  'token.rotate',
  'token.revoke',
  'token.use', // every request an emergency token authenticates
  'grant.add',
  'grant.remove',
  'settings.change',
  'maintenance.run',
  'report.published', // a scheduled review or security report
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** `success`: done; `denied`: 401/403; `refused`: bad input or policy (4xx other than 401/403); `failed`: the server could not (5xx). */
export const ACCESS_OUTCOMES = ['success', 'denied', 'refused', 'failed'] as const;
export type AccessOutcome = (typeof ACCESS_OUTCOMES)[number];

export type FactDetail = string | number | boolean | null;

/** One thing that happened, as the service that answered saw it. */
export interface AccessRecorded {
  /** A UUID chosen when the fact is made; the audit log keeps one entry per id. */
  readonly id: string;
  readonly type: 'AccessRecorded';
  readonly schemaVersion: 1;
  /** `index`, `upload`, `auth` or `audit`. */
  readonly service: string;
  /** ISO time the service answered. */
  readonly time: string;
  readonly action: AccessAction;
  readonly outcome: AccessOutcome;
  /** The principal (`alice`, `ci-bot`, `admin`), the name tried at a failed sign-in, `anonymous`, or `system:<what>`. */
  readonly actor: string;
  readonly tokenId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  /** Canonical project name, when the fact concerns one. */
  readonly project: string | null;
  readonly version: string | null;
  readonly filename: string | null;
  /** The HTTP status answered, when there was a request. */
  readonly status: number | null;
  /** A machine-readable reason for a refusal or denial (BAD-INPUT's reason codes), else null. */
  readonly reason: string | null;
  /** Anything else worth keeping: flat, small, never a secret. */
  readonly details: Readonly<Record<string, FactDetail>>;
}

export type AccessFact = TokensUsed | AccessRecorded;

const isUse = (value: unknown): value is TokenUse => isObject(value) && isString(value['tokenId']) && isString(value['at']) && !Number.isNaN(Date.parse(value['at'])) && isString(value['address']);
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isDetail = (value: unknown): value is FactDetail => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const ACTIONS: ReadonlySet<string> = new Set(ACCESS_ACTIONS);
const OUTCOMES: ReadonlySet<string> = new Set(ACCESS_OUTCOMES);

function checkTokensUsed(parsed: Record<string, unknown>): TokensUsed {
  if (parsed['schemaVersion'] !== 1 || !isString(parsed['id']) || !isString(parsed['service']) || !isString(parsed['recordedAt'])) {
    throw new InvalidEventError('not a TokensUsed fact of schema version 1');
  }
  const data = parsed['data'];
  if (!isObject(data) || !Array.isArray(data['uses']) || !data['uses'].every(isUse)) {
    throw new InvalidEventError('TokensUsed data.uses is missing or malformed');
  }
  return parsed as unknown as TokensUsed;
}

function checkAccessRecorded(parsed: Record<string, unknown>): AccessRecorded {
  const problems: string[] = [];
  if (parsed['schemaVersion'] !== 1) {
    problems.push('schemaVersion');
  }
  for (const field of ['id', 'service', 'time', 'actor'] as const) {
    if (!isString(parsed[field])) {
      problems.push(field);
    }
  }
  if (isString(parsed['time']) && Number.isNaN(Date.parse(parsed['time']))) {
    problems.push('time');
  }
  if (!isString(parsed['action']) || !ACTIONS.has(parsed['action'])) {
    problems.push('action');
  }
  if (!isString(parsed['outcome']) || !OUTCOMES.has(parsed['outcome'])) {
    problems.push('outcome');
  }
  for (const field of ['tokenId', 'clientAddress', 'userAgent', 'project', 'version', 'filename', 'reason'] as const) {
    if (!isStringOrNull(parsed[field])) {
      problems.push(field);
    }
  }
  const status = parsed['status'];
  if (!(status === null || (typeof status === 'number' && Number.isInteger(status)))) {
    problems.push('status');
  }
  const details = parsed['details'];
  if (!isObject(details) || !Object.values(details).every(isDetail)) {
    problems.push('details');
  }
  if (problems.length > 0) {
    throw new InvalidEventError(`AccessRecorded fact is malformed: ${problems.join(', ')}`);
  }
  return parsed as unknown as AccessRecorded;
}

function decodeOne(line: string): AccessFact {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new InvalidEventError('message is not JSON');
  }
  if (!isObject(parsed)) {
    throw new InvalidEventError('an access fact must be a JSON object');
  }
  if (parsed['type'] === 'TokensUsed') {
    return checkTokensUsed(parsed);
  }
  if (parsed['type'] === 'AccessRecorded') {
    return checkAccessRecorded(parsed);
  }
  throw new InvalidEventError(`unknown access fact type ${JSON.stringify(parsed['type'])}`);
}

/** Parses a message of the access topic: one fact per non-empty line. Throws `InvalidEventError` naming the first bad line. */
export function decodeAccessFacts(text: string): AccessFact[] {
  const facts: AccessFact[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]?.trim() ?? '';
    if (line === '') {
      continue;
    }
    try {
      facts.push(decodeOne(line));
    } catch (error) {
      throw new InvalidEventError(`line ${index + 1}: ${(error as Error).message}`);
    }
  }
  return facts;
}

/** One message's value for a batch of facts (JSON lines, one fact a line). */
export const encodeAccessFacts = (facts: readonly AccessFact[]): string => facts.map((fact) => JSON.stringify(fact)).join('\n');
