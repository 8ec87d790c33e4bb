import type { AccessControl, AccessFacts, AccessProjectionConsumer } from '@quiver/shared-feature-access';
import type { BlobStore, Database, EventBus } from '@quiver/shared-ports';
import type { FaultPoint } from './publish-file/fault-point.js';

/** Everything the upload service needs from the outside, chosen by the app's composition root. */
export interface UploadDependencies {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  /** Who a presented API token acts for, with the grants it holds, from this service's access projection. */
  readonly access: AccessControl;
  /** Keeps that projection current from identity events; started and stopped with the service. */
  readonly accessProjection: AccessProjectionConsumer;
  /** Where this service's access facts go (uploads, refusals, release and maintenance actions, denials); absent: none. */
  readonly facts?: AccessFacts;
  /** Resolves once the index serves the event (read-your-writes); rejects after its own bound. */
  readonly awaitIndexed: (eventId: string) => Promise<void>;
  readonly limits: UploadLimits;
  /** Directory for in-flight upload files (one private subdirectory per request). */
  readonly tempDir: string;
  readonly maintenance: MaintenanceSettings;
  /** `QUIVER_DOCS_URL`: where refusal messages link to Quiver's documentation; unset, they name the page. */
  readonly docsUrl?: string;
  /** TEST ONLY (RELIABILITY F7): crash the process at this point of a publish. */
  readonly faultPoint?: FaultPoint;
}

export interface MaintenanceSettings {
  /** An unreferenced blob younger than this is never collected (it may belong to an upload in flight). */
  readonly orphanGraceSeconds: number;
  /** Period of the orphan GC each replica runs; 0: on demand only. */
  readonly gcIntervalSeconds: number;
}

export interface UploadLimits {
  readonly maxFileBytes: number;
  /** Largest total size of one project's live files (BAD-INPUT 22). */
  readonly projectQuotaBytes: number;
  /** New projects one principal may create per rolling hour; 0: unlimited (BAD-INPUT 44). */
  readonly newProjectsPerHour: number;
  /** Extra names new projects may not take (BAD-INPUT 43). */
  readonly prohibitedProjectNames: readonly string[];
  /** `QUIVER_DISALLOW_NEW_PROJECTS`: no upload creates a project (BAD-INPUT 64). */
  readonly disallowNewProjects?: boolean;
}

export const UPLOAD_DEPENDENCIES = Symbol('UPLOAD_DEPENDENCIES');
