import { randomBytes } from 'node:crypto';
import type { AccessOutcome } from '@quiver/shared-contracts-identity';
import type { AccessFacts, PasswordCheck, PasswordChecker } from '@quiver/shared-feature-access';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import type { AuthDependencies } from '../auth.ports.js';
import { IdentityCommands } from '../identity/identity-commands.js';
import { listTokens, type TokenView } from '../tokens/token-listing.js';
import { DirectorySignIn } from './directory-sign-in.js';
import { SignInLimiter } from './sign-in-limiter.js';

export const SIGN_IN = Symbol('SIGN_IN');

/** How each refusal of a password is answered (here and by the services that take passwords on installs). */
export const SIGN_IN_REFUSALS = {
  invalid: { status: 401, reason: 'invalid-credentials', outcome: 'denied' },
  limited: { status: 429, reason: 'too-many-failures', outcome: 'refused' },
  unavailable: { status: 503, reason: 'directory-unavailable', outcome: 'failed' },
  conflict: { status: 403, reason: 'directory-conflict', outcome: 'denied' },
} as const satisfies Record<Exclude<PasswordCheck, { ok: true }>['refusal'], { status: number; reason: string; outcome: AccessOutcome }>;

/** Sign-in with a directory account: check the password (within the failure limits), then issue a personal token. */
export class SignInService implements PasswordChecker {
  private readonly commands: IdentityCommands;
  private readonly directorySignIn: DirectorySignIn;

  constructor(private readonly deps: AuthDependencies) {
    this.commands = new IdentityCommands(deps);
    this.directorySignIn = new DirectorySignIn(deps.directory, new SignInLimiter(deps.database), this.commands, deps.database);
  }

  /** The auth service's access facts, if recorded. */
  get facts(): AccessFacts | undefined {
    return this.deps.facts;
  }

  get configured(): boolean {
    return this.directorySignIn.configured;
  }

  /** Checks a password another service of this process was given on an install (embedded mode); one `auth.login` fact. */
  check(username: string, password: string, address: string): Promise<PasswordCheck> {
    return this.checkRecorded(username, password, { address, userAgent: null, via: 'install' });
  }

  /**
   * Checks a directory password and records the sign-in as one `auth.login` fact: success with the
   * principal, or the refusal with the name tried. Never the password.
   */
  async checkRecorded(username: string, password: string, from: { readonly address: string; readonly userAgent: string | null; readonly via: 'login' | 'install' }): Promise<PasswordCheck> {
    const checked = await this.directorySignIn.check(username, password, from.address);
    const refusal = checked.ok ? undefined : SIGN_IN_REFUSALS[checked.refusal];
    this.deps.facts?.record({
      action: 'auth.login',
      outcome: refusal?.outcome ?? 'success',
      actor: checked.ok ? checked.principal : username.trim().slice(0, 200) || 'anonymous',
      clientAddress: from.address,
      userAgent: from.userAgent,
      status: refusal?.status ?? (from.via === 'login' ? 201 : 200),
      reason: refusal?.reason ?? null,
      details: { via: from.via },
    });
    return checked;
  }

  /** A personal token of the kind's default life for a principal that just signed in. */
  async issuePersonalToken(principal: string, description: string): Promise<{ ok: true; token: TokenView & { token: string } } | { ok: false; message: string }> {
    const token = generateApiToken();
    const tokenId = `tk_${randomBytes(8).toString('hex')}`;
    const result = await this.commands.run({ type: 'IssueToken', principal, tokenId, sha256: hashApiToken(token), request: { kind: 'personal', description: description.slice(0, 200) }, now: new Date() }, principal);
    if (!result.ok) {
      return { ok: false, message: result.message };
    }
    const [view] = await listTokens(this.deps.database, { tokenId, now: new Date() });
    return view ? { ok: true, token: { ...view, token } } : { ok: false, message: 'The token was not recorded.' };
  }
}
