/**
 * Validation at the bus boundary: a message is parsed into a `RecordedEvent` or refused with a
 * reason (the consumer dead-letters it). Hand-written checks, no schema library.
 */
import type { PackageEvent, RecordedEvent } from './package-events.js';
import { decodeRecorded, isNumber, isObject, isString, isStringOrNull, type DataRules } from './recorded-event.js';

const REQUIRED_DATA: DataRules<PackageEvent> = {
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
  ProjectSettingsChanged: {
    project: isString,
    closeReleasesAfterSeconds: (value) => value === null || (isNumber(value) && value > 0),
    nonVolatile: (value) => value === undefined || typeof value === 'boolean',
    uploadLimitBytes: (value) => value === undefined || value === null || (isNumber(value) && Number.isInteger(value) && value > 0 && value <= 1024 ** 3),
  },
};

export const decodeRecordedEvent = (text: string): RecordedEvent => decodeRecorded<PackageEvent>(text, REQUIRED_DATA);

