import type { BlobStore, Database, EventBus } from '@quiver/shared-ports';

/** Everything the index service needs from the outside, chosen by the app's composition root. */
export interface IndexDependencies {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  /** Verifies a presented API token; resolves the principal's name or undefined. */
  readonly authenticate: (token: string) => Promise<string | undefined>;
  /**
   * True when this process's projection consumer applies every package event (embedded mode): page
   * freshness is then checked in memory. Replicas sharing a consumer group must read the database.
   */
  readonly soleProjection?: boolean;
  /** Budget for checked bytes of small files kept in memory (`QUIVER_FILE_CACHE_BYTES`); 0 or absent keeps none. */
  readonly fileCacheBytes?: number;
  /** Budget for rendered project pages kept in memory (`QUIVER_PAGE_CACHE_BYTES`, whose default is the config's); 0 keeps none. */
  readonly pageCacheBytes: number;
}

export const INDEX_DEPENDENCIES = Symbol('INDEX_DEPENDENCIES');
