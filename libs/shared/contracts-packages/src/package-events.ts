/**
 * Package events: what the upload service records per project stream and publishes on
 * `quiver.packages.v1`. Versioned contracts: a shape never changes once shipped; a new shape gets a
 * new `schemaVersion` and older ones are upcast on read.
 */
import type { Recorded } from './recorded-event.js';

export const PACKAGE_EVENTS_TOPIC = 'quiver.packages.v1';

export interface ProjectCreated {
  readonly type: 'ProjectCreated';
  readonly schemaVersion: 1;
  readonly data: {
    /** As first uploaded, e.g. `Acme.Widget_Tools`. */
    readonly displayName: string;
    /** PEP 503 form, e.g. `acme-widget-tools`; also the stream key. */
    readonly project: string;
  };
}

export interface CoreMetadataFile {
  readonly sha256: string;
  readonly size: number;
  readonly blobKey: string;
}

export interface ReleaseFilePublished {
  readonly type: 'ReleaseFilePublished';
  readonly schemaVersion: 1;
  readonly data: {
    readonly project: string;
    /** Normalised PEP 440 version. */
    readonly version: string;
    readonly filename: string;
    readonly packagetype: 'bdist_wheel' | 'sdist';
    readonly pythonVersion: string;
    readonly size: number;
    readonly sha256: string;
    readonly blake2_256: string;
    readonly blobKey: string;
    readonly requiresPython: string | null;
    readonly summary: string | null;
    /** The PEP 658 `.metadata` file, for wheels. */
    readonly coreMetadata: CoreMetadataFile | null;
    /** ISO 8601 UTC. */
    readonly uploadedAt: string;
  };
}

export interface ReleaseYanked {
  readonly type: 'ReleaseYanked';
  readonly schemaVersion: 1;
  readonly data: { readonly project: string; readonly version: string; readonly reason: string };
}

export interface ReleaseUnyanked {
  readonly type: 'ReleaseUnyanked';
  readonly schemaVersion: 1;
  readonly data: { readonly project: string; readonly version: string };
}

export interface ReleaseFileDeleted {
  readonly type: 'ReleaseFileDeleted';
  readonly schemaVersion: 1;
  readonly data: { readonly project: string; readonly version: string; readonly filename: string };
}

/**
 * An administrator changed the project's upload policy. Replaces the previous settings as a whole;
 * `null` turns a rule off.
 */
export interface ProjectSettingsChanged {
  readonly type: 'ProjectSettingsChanged';
  readonly schemaVersion: 1;
  readonly data: {
    readonly project: string;
    /** New files may be added to a release only this long after its first file (BAD-INPUT 27); `null`: no limit. */
    readonly closeReleasesAfterSeconds: number | null;
    /** Files cannot be deleted unless an administrator on `*` forces it (BAD-INPUT 68); absent in older events: false. */
    readonly nonVolatile?: boolean;
    /** The largest file this project takes, in bytes, instead of the registry's (BAD-INPUT 65); absent or `null`: the registry's. */
    readonly uploadLimitBytes?: number | null;
  };
}

export type PackageEvent = ProjectCreated | ReleaseFilePublished | ReleaseYanked | ReleaseUnyanked | ReleaseFileDeleted | ProjectSettingsChanged;
export type PackageEventType = PackageEvent['type'];

/** A stored event as consumers see it: identity and position plus the versioned payload. */
export type RecordedEvent<E extends PackageEvent = PackageEvent> = Recorded<E>;

export const projectStreamId = (project: string): string => `project-${project}`;
