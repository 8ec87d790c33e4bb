import { Logger } from '@nestjs/common';
import { DirectoryUnavailableError, type Directory, type DirectoryUser, type SqlExecutor } from '@quiver/shared-ports';
import { RateLimitedLog } from '@quiver/shared-feature-runtime';
import { checkPrincipalName } from '@quiver/shared-domain-access';
import type { PasswordCheck, PasswordChecker } from '@quiver/shared-feature-access';
import type { IdentityCommands } from '../identity/identity-commands.js';
import type { SignInLimiter } from './sign-in-limiter.js';

/**
 * Checks a directory username and password for sign-in and for password reads: within the failure
 * limits, against the directory (a bind as the user), and makes the user a principal on first
 * success (just in time, keyed by the directory's immutable id) with the groups it has now.
 */
export class DirectorySignIn implements PasswordChecker {
  /** RELIABILITY L13: the operator hears of it (a service password rotated, the directory down), a line a minute at most. */
  private readonly alerts = new RateLimitedLog((line) => new Logger('auth-directory').error(line), 60_000);

  constructor(
    private readonly directory: Directory | undefined,
    private readonly limiter: SignInLimiter,
    private readonly commands: IdentityCommands,
    private readonly db: SqlExecutor,
  ) {}

  get configured(): boolean {
    return this.directory !== undefined;
  }

  async check(username: string, password: string, address: string): Promise<PasswordCheck> {
    if (!this.directory) {
      return { ok: false, refusal: 'invalid' };
    }
    const attempt = await this.limiter.attempt(username, address);
    if (!attempt.ok) {
      return { ok: false, refusal: 'limited', retryAfterSeconds: attempt.retryAfterSeconds };
    }
    let user: DirectoryUser | undefined;
    try {
      user = await this.directory.authenticate(username, password);
    } catch (error) {
      await this.limiter.succeeded(attempt.id); // the directory's fault, not the user's
      if (error instanceof DirectoryUnavailableError) {
        // The adapter's messages name the operation and the server's error, never a password.
        this.alerts.note(`ALERT directory unavailable for sign-in: ${error.message}`);
        return { ok: false, refusal: 'unavailable' };
      }
      throw error;
    }
    if (!user) {
      return { ok: false, refusal: 'invalid' };
    }
    await this.limiter.succeeded(attempt.id);
    return this.observe(user);
  }

  /** The principal a directory user is (made one if new), with its groups recorded as the directory has them now. */
  async observe(user: DirectoryUser): Promise<PasswordCheck> {
    const { rows } = await this.db.query<{ principal: string }>('SELECT principal FROM access_directory_users WHERE directory_id = $1', [user.id]);
    const principal = rows[0]?.principal ?? user.username.trim().toLowerCase();
    const nameProblem = checkPrincipalName(principal);
    if (nameProblem) {
      return { ok: false, refusal: 'conflict', message: `The directory username '${user.username.slice(0, 64)}' cannot be a Quiver principal: ${nameProblem}` };
    }
    const groups = user.groups.map((group) => group.name.trim().toLowerCase());
    const result = await this.commands.run({ type: 'ObserveDirectoryUser', principal, directoryId: user.id, username: user.username, groups }, principal);
    if (!result.ok) {
      return { ok: false, refusal: 'conflict', message: result.message };
    }
    return { ok: true, principal, groups: [...new Set(groups)].sort() };
  }
}
