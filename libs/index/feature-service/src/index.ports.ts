import type { BlobStore, Database, EventBus } from '@quiver/shared-ports';

/** Everything the index service needs from the outside, chosen by the app's composition root. */
export interface IndexDependencies {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  /** Verifies a presented API token; resolves the principal's name or undefined. */
  readonly authenticate: (token: string) => Promise<string | undefined>;
}

export const INDEX_DEPENDENCIES = Symbol('INDEX_DEPENDENCIES');
