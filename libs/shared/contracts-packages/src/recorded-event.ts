/**
 * The envelope every stored and published Quiver event carries, whichever service wrote it, and its
 * validation at the bus boundary. Hand-written checks, no schema library.
 */

/** A versioned event payload: a `type` literal, its `schemaVersion`, and its data. */
export interface DomainEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: object;
}

/** Who did it and within which request/trace; carried with every stored and published event. */
export interface EventMetadata {
  readonly actor: string;
  readonly requestId?: string;
  readonly traceparent?: string;
}

/** A stored event as consumers see it: identity and position plus the versioned payload. */
export type Recorded<E extends DomainEvent> = E & {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  /** Global position in the writer's event store (decimal string: bigint-safe). */
  readonly position: string;
  readonly recordedAt: string;
  readonly metadata: EventMetadata;
};

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** For each event type of a family, the data fields it must carry and their checks (schema version 1). */
export type DataRules<E extends DomainEvent> = Record<E['type'], Record<string, (value: unknown) => boolean>>;

/** The data rules of schema versions after 1, by event type and version. */
export type LaterVersionRules = Readonly<Record<string, Readonly<Record<number, Record<string, (value: unknown) => boolean>>>>>;

function field<T>(object: Json, key: string, check: (value: unknown) => value is T, where: string): T {
  const value = object[key];
  if (!check(value)) {
    throw new InvalidEventError(`${where}.${key} is missing or has the wrong type`);
  }
  return value;
}

export const encodeRecordedEvent = (event: Recorded<DomainEvent>): string => JSON.stringify(event);

/** Parses a message into a recorded event of the family `rules` describes, or throws `InvalidEventError`. */
export function decodeRecorded<E extends DomainEvent>(text: string, rules: DataRules<E>, laterVersions: LaterVersionRules = {}): Recorded<E> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidEventError('message is not JSON');
  }
  if (!isObject(parsed)) {
    throw new InvalidEventError('message is not a JSON object');
  }
  const type = field(parsed, 'type', isString, 'event');
  const firstVersion = (rules as Record<string, Record<string, (value: unknown) => boolean> | undefined>)[type];
  if (!firstVersion || !Object.hasOwn(rules, type)) {
    throw new InvalidEventError(`unknown event type '${type.slice(0, 60)}'`);
  }
  const schemaVersion = field(parsed, 'schemaVersion', isNumber, 'event');
  const later = Object.hasOwn(laterVersions, type) ? laterVersions[type] : undefined;
  const required = schemaVersion === 1 ? firstVersion : later && Object.hasOwn(later, schemaVersion) ? later[schemaVersion] : undefined;
  if (!required) {
    throw new InvalidEventError(`unsupported schemaVersion ${schemaVersion} for ${type}`);
  }
  for (const key of ['eventId', 'streamId', 'position', 'recordedAt']) {
    field(parsed, key, isString, 'event');
  }
  field(parsed, 'streamVersion', isNumber, 'event');
  const metadata = field(parsed, 'metadata', isObject, 'event');
  field(metadata, 'actor', isString, 'event.metadata');
  const data = field(parsed, 'data', isObject, 'event');
  for (const [key, check] of Object.entries(required)) {
    if (!check(data[key])) {
      throw new InvalidEventError(`event.data.${key} is missing or has the wrong type for ${type}`);
    }
  }
  return parsed as unknown as Recorded<E>;
}
