import { randomBytes } from 'node:crypto';
import type { PasswordCheck, PasswordChecker } from '@quiver/shared-feature-access';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import type { AuthDependencies } from '../auth.ports.js';
import { IdentityCommands } from '../identity/identity-commands.js';
import { listTokens, type TokenView } from '../tokens/token-listing.js';
import { DirectorySignIn } from './directory-sign-in.js';
import { SignInLimiter } from './sign-in-limiter.js';

export const SIGN_IN = Symbol('SIGN_IN');

/** Sign-in with a directory account: check the password (within the failure limits), then issue a personal token. */
export class SignInService implements PasswordChecker {
  private readonly commands: IdentityCommands;
  private readonly directorySignIn: DirectorySignIn;

  constructor(private readonly deps: AuthDependencies) {
    this.commands = new IdentityCommands(deps);
    this.directorySignIn = new DirectorySignIn(deps.directory, new SignInLimiter(deps.database), this.commands, deps.database);
  }

  get configured(): boolean {
    return this.directorySignIn.configured;
  }

  check(username: string, password: string, address: string): Promise<PasswordCheck> {
    return this.directorySignIn.check(username, password, address);
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
