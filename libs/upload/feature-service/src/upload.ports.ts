import type { BlobStore, Database, EventBus } from '@quiver/shared-ports';

/** Everything the upload service needs from the outside, chosen by the app's composition root. */
export interface UploadDependencies {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  /** Verifies a presented API token; resolves the principal's name or undefined. */
  readonly authenticate: (token: string) => Promise<string | undefined>;
  /** Resolves once the index serves the event (read-your-writes); rejects after its own bound. */
  readonly awaitIndexed: (eventId: string) => Promise<void>;
  readonly limits: UploadLimits;
  /** Directory for in-flight upload files (one private subdirectory per request). */
  readonly tempDir: string;
}

export interface UploadLimits {
  readonly maxFileBytes: number;
}

export const UPLOAD_DEPENDENCIES = Symbol('UPLOAD_DEPENDENCIES');
