import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerAfterFacts, PASSWORDS_PATH, type PasswordCheck } from '@quiver/shared-feature-access';
import { parseAuthorization, Public, sendProblem } from '@quiver/shared-feature-runtime';
import { SIGN_IN, type SignInService } from './sign-in.service.js';

const CHALLENGE = 'Basic realm="quiver"';
const userAgentOf = (request: FastifyRequest): string | null => (typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null);

/**
 * Sign-in with a directory account:
 * - `POST /api/auth/login` with HTTP Basic `username:password` (optional JSON `{"description"}`):
 *   201 with a personal token (`id`, `token`, `principal`, `kind`, `expiresAt`), shown this once;
 * - `POST /-/auth/passwords` with the same: 200 `{principal, groups}`, for the services that take
 *   a password on installs (no token is made).
 * A wrong, empty or unknown password is 401; too many failures 429 with Retry-After (no bind is
 * then attempted); a directory that does not answer 503. Never a 5xx for what the client sent.
 */
@Controller()
@Public()
export class SignInController {
  constructor(@Inject(SIGN_IN) private readonly signIn: SignInService) {}

  @Post('api/auth/login')
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const checked = await this.check(request, 'login');
    if (!checked.ok) {
      return this.refuse(request, reply, checked);
    }
    const description = typeof (body as { description?: unknown } | undefined)?.description === 'string' ? (body as { description: string }).description : `signed in from ${request.ip}`;
    const issued = await this.signIn.issuePersonalToken(checked.principal, description);
    if (!issued.ok) {
      return sendProblem(request, reply, 400, 'invalid', issued.message);
    }
    // The sign-in is its own fact (auth.login); the token it made is another.
    this.signIn.facts?.record({
      action: 'token.create',
      outcome: 'success',
      actor: checked.principal,
      clientAddress: request.ip,
      userAgent: userAgentOf(request),
      status: 201,
      details: { token: issued.token.id, kind: issued.token.kind, expiresAt: issued.token.expiresAt, principal: issued.token.principal },
    });
    return reply.code(201).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(issued.token));
  }

  @Post(PASSWORDS_PATH.slice(1))
  async password(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const checked = await this.check(request, 'install');
    if (!checked.ok) {
      return this.refuse(request, reply, checked);
    }
    return reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify({ principal: checked.principal, groups: checked.groups }));
  }

  /** The password check, recorded as one `auth.login` fact (a request without a username and password too). */
  private async check(request: FastifyRequest, via: 'login' | 'install'): Promise<PasswordCheck> {
    if (this.signIn.facts) {
      // No guard begins this public route's facts: its answers wait for the journal all the same.
      answerAfterFacts(request, this.signIn.facts);
    }
    const credentials = parseAuthorization(request.headers.authorization);
    if (credentials.kind !== 'password' || !this.signIn.configured) {
      this.signIn.facts?.record({
        action: 'auth.login',
        outcome: 'denied',
        actor: credentials.kind === 'password' ? credentials.username.trim().slice(0, 200) || 'anonymous' : 'anonymous',
        clientAddress: request.ip,
        userAgent: userAgentOf(request),
        status: 401,
        reason: credentials.kind === 'password' ? 'directory-not-configured' : 'no-password',
        details: { via },
      });
      return { ok: false, refusal: 'invalid' };
    }
    return this.signIn.checkRecorded(credentials.username, credentials.password, { address: request.ip, userAgent: userAgentOf(request), via });
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, checked: Exclude<PasswordCheck, { ok: true }>): FastifyReply {
    void reply.header('cache-control', 'no-store');
    switch (checked.refusal) {
      case 'invalid':
        return sendProblem(
          request,
          reply.header('www-authenticate', CHALLENGE),
          401,
          'invalid-credentials',
          this.signIn.configured ? 'Invalid username or password.' : 'Sign-in needs a company directory, and none is configured (QUIVER_LDAP_URL): use an API token.',
        );
      case 'limited':
        return sendProblem(request, reply.header('retry-after', String(checked.retryAfterSeconds)), 429, 'too-many-failures', `Too many failed sign-ins for this user or address; retry in ${checked.retryAfterSeconds} s.`);
      case 'unavailable':
        return sendProblem(request, reply.header('retry-after', '30'), 503, 'directory-unavailable', 'The company directory is not answering; retry shortly.');
      case 'conflict':
        return sendProblem(request, reply, 403, 'directory-conflict', checked.message);
    }
  }
}
