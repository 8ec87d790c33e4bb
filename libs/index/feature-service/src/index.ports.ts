import type { AccessControl, AccessFacts, AccessProjectionConsumer } from '@quiver/shared-feature-access';
import type { BlobStore, Database, EventBus } from '@quiver/shared-ports';

/** Everything the index service needs from the outside, chosen by the app's composition root. */
export interface IndexDependencies {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  /** Who a presented API token acts for, with the grants it holds, from this service's access projection. */
  readonly access: AccessControl;
  /** Keeps that projection current from identity events; started and stopped with the service. */
  readonly accessProjection: AccessProjectionConsumer;
  /** Where this service's access facts go (downloads, page reads, denials); absent: none are recorded. */
  readonly facts?: AccessFacts;
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
