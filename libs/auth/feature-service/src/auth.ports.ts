import type { AccessControl, AccessFacts, TokenUseRecorder } from '@quiver/shared-feature-access';
import type { Database, Directory, EventBus } from '@quiver/shared-ports';
import type { PasswordChecker } from '@quiver/shared-feature-access';

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
  /** Publishes the uses of tokens the auth service itself authenticated (its `access` reports them here). */
  readonly tokenUses: TokenUseRecorder;
  /** Where the auth service's access facts go (sign-ins, token and grant changes, denials); absent: none. */
  readonly facts?: AccessFacts;
  /** The company directory (LDAP), when one is configured: sign-in, password reads and group membership. */
  readonly directory?: Directory;
  /** QUIVER_LDAP_CACHE_SECONDS: memberships are read again within this window (every half of it). */
  readonly directoryCacheMs?: number;
  /** Receives the auth service's password checker, for the services of the same process (embedded mode). */
  readonly onPasswordChecker?: (checker: PasswordChecker) => void;
}

export const AUTH_DEPENDENCIES = Symbol('AUTH_DEPENDENCIES');
