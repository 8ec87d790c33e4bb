import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { refusal, type Caller } from '@quiver/shared-domain-access';
import { ACCESS_METADATA, parseAuthorization } from '@quiver/shared-feature-runtime';
import type { AccessControl, TokenRefusal } from '../access-control.js';
import type { AccessFacts } from '../facts/access-facts.js';
import { ACCESS_FACTS, beginRequestFacts, noteClaimant } from '../facts/request-facts.js';
import { AccessDeniedException, unauthenticated } from './access-denied.exception.js';
import { CALLER, type AccessRequirement, type AuthenticatedRequest } from './access-requirement.js';

/** The access control of the module a guarded controller belongs to (each service's own projection). */
export const ACCESS_CONTROL = Symbol('ACCESS_CONTROL');

const TOKEN_HINT = 'Send __token__ as the username and a Quiver API token as the password.';

/** What a client is told for each reason a token does not authenticate (BAD-INPUT 57, 58). */
const TOKEN_REFUSALS: Record<TokenRefusal, () => AccessDeniedException> = {
  unknown: () => unauthenticated('invalid-token', `Invalid or non-existent authentication information. ${TOKEN_HINT}`),
  revoked: () => unauthenticated('revoked-token', 'Invalid API Token: the token was revoked.'),
  expired: () => unauthenticated('expired-token', 'Invalid API Token: token is expired'),
  'rotated-out': () => unauthenticated('rotated-token', "Invalid API Token: this secret was replaced when the token was rotated; use the token's new secret."),
  'used-up': () => unauthenticated('used-up-token', 'Invalid API Token: the token has no uses left.'),
  address: () => new AccessDeniedException(403, 'token-address', 'Invalid API Token: the token is not valid from this address.'),
  'left-directory': () => unauthenticated('left-directory', 'Invalid API Token: its user is no longer in the company directory.'),
  'directory-unavailable': () =>
    new AccessDeniedException(503, 'directory-unavailable', "The company directory has not answered for too long to trust this user's groups. Retry shortly.", { 'retry-after': '30' }),
};

/**
 * Authenticates every request to a route declared `@Authenticated(…)`: no credentials or an
 * unusable token is a 401 with the Basic challenge; a password where only tokens are taken, a
 * token from outside its address ranges, or a caller without the route's permission is a 403. The
 * caller is then on the request for `@CurrentCaller()`.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_CONTROL) private readonly access: AccessControl,
    @Optional() @Inject(ACCESS_FACTS) private readonly facts?: AccessFacts | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AccessRequirement | 'public' | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    if (requirement === 'public') {
      return true;
    }
    if (requirement === undefined) {
      throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no access`);
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (this.facts) {
      // Every answer of a guarded route is seen: a 401 or 403 becomes one `auth.denied` fact.
      beginRequestFacts(request, this.facts, () => request[CALLER]);
    }
    const credentials = parseAuthorization(request.headers.authorization);
    if (credentials.kind === 'none') {
      throw unauthenticated('unauthenticated', `Authentication required: use __token__ as the username and a Quiver API token as the password.`);
    }
    if (credentials.kind === 'password') {
      noteClaimant(request, { actor: credentials.username.slice(0, 200) });
    }
    if (credentials.kind === 'password' && requirement.credentials === 'token') {
      throw new AccessDeniedException(
        403,
        'password-not-accepted',
        'Username/Password authentication is no longer supported. Migrate to API Tokens instead: send __token__ as the username and the token as the password.',
      );
    }
    const caller = credentials.kind === 'password' ? await this.passwordCaller(credentials.username, credentials.password, request.ip) : await this.tokenCaller(credentials.token, request);
    const refused = requirement.permission === undefined ? undefined : refusal(caller, requirement.permission);
    if (refused) {
      noteClaimant(request, { actor: caller.name, tokenId: caller.token?.id });
      throw new AccessDeniedException(403, refused.code, refused.message);
    }
    request[CALLER] = caller;
    return true;
  }

  private async tokenCaller(token: string, request: AuthenticatedRequest): Promise<Caller> {
    const result = await this.access.authenticateToken(token, request.ip);
    if (!result.ok) {
      noteClaimant(request, { actor: result.principal, tokenId: result.tokenId });
      throw TOKEN_REFUSALS[result.refusal]();
    }
    return result.caller;
  }

  private async passwordCaller(username: string, password: string, address: string): Promise<Caller> {
    const result = await this.access.authenticatePassword(username, password, address);
    if (result.ok) {
      return result.caller;
    }
    switch (result.refusal) {
      case 'invalid':
        throw unauthenticated('invalid-credentials', `Invalid username or password. Use your directory account, or ${TOKEN_HINT.charAt(0).toLowerCase()}${TOKEN_HINT.slice(1)}`);
      case 'limited':
        throw new AccessDeniedException(429, 'too-many-failures', `Too many failed sign-ins for this user or address; retry in ${result.retryAfterSeconds} s.`, { 'retry-after': String(result.retryAfterSeconds) });
      case 'unavailable':
        throw new AccessDeniedException(503, 'directory-unavailable', 'The company directory is not answering; retry shortly.', { 'retry-after': '30' });
      case 'conflict':
        throw new AccessDeniedException(403, 'directory-conflict', result.message);
    }
  }
}
