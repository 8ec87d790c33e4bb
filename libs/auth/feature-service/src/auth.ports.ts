import type { AccessControl } from '@quiver/shared-feature-access';
import type { Database, EventBus } from '@quiver/shared-ports';

/** Everything the auth service needs from the outside, chosen by the app's composition root. */
export interface AuthDependencies {
  readonly database: Database;
  readonly bus: EventBus;
  /** Verifies tokens against this service's own access projection (and the bootstrap administrator). */
  readonly access: AccessControl;
  /**
   * Resolves once every service that authorises requests (upload, index) applied the event, so a
   * token or grant works the moment the administrator is told it exists; rejects after its bound.
   */
  readonly awaitApplied: (eventId: string) => Promise<void>;
}

export const AUTH_DEPENDENCIES = Symbol('AUTH_DEPENDENCIES');
