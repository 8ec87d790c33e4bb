/**
 * Validation at the bus boundary: a message is parsed into a `RecordedEvent` or refused with a
 * reason (the consumer dead-letters it). Hand-written checks, no schema library.
 */
import type { PackageEvent, RecordedEvent } from './package-events.js';

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function field<T>(object: Json, key: string, check: (value: unknown) => value is T, where: string): T {
  const value = object[key];
  if (!check(value)) {
    throw new InvalidEventError(`${where}.${key} is missing or has the wrong type`);
  }
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

const REQUIRED_DATA: Record<PackageEvent['type'], Record<string, (value: unknown) => boolean>> = {
  ProjectCreated: { displayName: isString, project: isString },
  ReleaseFilePublished: {
    project: isString,
    version: isString,
    filename: isString,
    packagetype: (value) => value === 'bdist_wheel' || value === 'sdist',
    pythonVersion: isString,
    size: isNumber,
    sha256: isString,
    blake2_256: isString,
    blobKey: isString,
    requiresPython: isStringOrNull,
    summary: isStringOrNull,
    coreMetadata: (value) => value === null || (isObject(value) && isString(value['sha256']) && isNumber(value['size']) && isString(value['blobKey'])),
    uploadedAt: isString,
  },
  ReleaseYanked: { project: isString, version: isString, reason: isString },
  ReleaseUnyanked: { project: isString, version: isString },
  ReleaseFileDeleted: { project: isString, version: isString, filename: isString },
  ProjectSettingsChanged: { project: isString, closeReleasesAfterSeconds: (value) => value === null || (isNumber(value) && value > 0) },
};

export const encodeRecordedEvent = (event: RecordedEvent): string => JSON.stringify(event);

export function decodeRecordedEvent(text: string): RecordedEvent {
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
  const rules = (REQUIRED_DATA as Record<string, Record<string, (value: unknown) => boolean> | undefined>)[type];
  if (!rules) {
    throw new InvalidEventError(`unknown event type '${type.slice(0, 60)}'`);
  }
  const schemaVersion = field(parsed, 'schemaVersion', isNumber, 'event');
  if (schemaVersion !== 1) {
    throw new InvalidEventError(`unsupported schemaVersion ${schemaVersion} for ${type}`);
  }
  for (const key of ['eventId', 'streamId', 'position', 'recordedAt']) {
    field(parsed, key, isString, 'event');
  }
  field(parsed, 'streamVersion', isNumber, 'event');
  const metadata = field(parsed, 'metadata', isObject, 'event');
  field(metadata, 'actor', isString, 'event.metadata');
  const data = field(parsed, 'data', isObject, 'event');
  for (const [key, check] of Object.entries(rules)) {
    if (!check(data[key])) {
      throw new InvalidEventError(`event.data.${key} is missing or has the wrong type for ${type}`);
    }
  }
  return parsed as unknown as RecordedEvent;
}
