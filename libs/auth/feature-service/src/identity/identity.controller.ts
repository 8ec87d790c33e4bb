import { randomBytes, randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, Inject, Logger, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkPrincipalName, permits, type Caller } from '@quiver/shared-domain-access';
import { parseAuthorization, sendProblem } from '@quiver/shared-feature-runtime';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import type { IdentityCommand } from '@quiver/auth-domain';
import { AUTH_DEPENDENCIES, type AuthDependencies } from '../auth.ports.js';
import { IdentityHandler, type IdentityOutcome } from './identity.handler.js';

interface TokenRow {
  token_id: string;
  principal: string;
  description: string;
  issued_at: Date;
  revoked_at: Date | null;
}

/**
 * Admin API for principals, grants and tokens (ARCHITECTURE §5), for holders of `admin:*`:
 * - `GET /api/auth/principals/<name>`: grants and tokens (ids and descriptions, never secrets);
 * - `PUT` / `DELETE /api/auth/principals/<name>/grants/<role>/<pattern>`;
 * - `POST /api/auth/principals/<name>/tokens` (JSON `{"description": "…"}`): 201 with the token,
 *   shown this once; `DELETE /api/auth/tokens/<id>` revokes it.
 * A change is answered once upload and index apply it, so a new token works at once.
 */
@Controller('api/auth')
export class IdentityController {
  private readonly logger = new Logger('auth');
  private readonly handler: IdentityHandler;

  constructor(@Inject(AUTH_DEPENDENCIES) private readonly deps: AuthDependencies) {
    this.handler = new IdentityHandler(deps.database, deps.access);
  }

  @Get('principals/:principal')
  async show(@Param('principal') principal: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (!(await this.administrator(request, reply))) {
      return reply;
    }
    const problem = checkPrincipalName(principal);
    if (problem) {
      return sendProblem(request, reply, 400, 'invalid', problem);
    }
    const [grants, tokens] = await Promise.all([
      this.deps.database.query<{ role: string; pattern: string }>('SELECT role, pattern FROM access_grants WHERE principal = $1 ORDER BY pattern, role', [principal]),
      this.deps.database.query<TokenRow>('SELECT token_id, principal, description, issued_at, revoked_at FROM access_tokens WHERE principal = $1 ORDER BY issued_at, token_id', [principal]),
    ]);
    return reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store').send(
      JSON.stringify({
        principal,
        grants: grants.rows,
        tokens: tokens.rows.map((row) => ({ id: row.token_id, description: row.description, issuedAt: row.issued_at.toISOString(), revokedAt: row.revoked_at?.toISOString() ?? null })),
      }),
    );
  }

  @Put('principals/:principal/grants/:role/:pattern')
  async grant(@Param('principal') principal: string, @Param('role') role: string, @Param('pattern') pattern: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const admin = await this.administrator(request, reply);
    return admin ? this.apply(request, reply, admin, { type: 'GrantRole', principal, role, pattern }) : reply;
  }

  @Delete('principals/:principal/grants/:role/:pattern')
  async revokeGrant(@Param('principal') principal: string, @Param('role') role: string, @Param('pattern') pattern: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const admin = await this.administrator(request, reply);
    return admin ? this.apply(request, reply, admin, { type: 'RevokeRole', principal, role, pattern }) : reply;
  }

  @Post('principals/:principal/tokens')
  async issue(@Param('principal') principal: string, @Body() body: { description?: unknown } | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const admin = await this.administrator(request, reply);
    if (!admin) {
      return reply;
    }
    const description = typeof body?.description === 'string' ? body.description : '';
    const token = generateApiToken();
    const tokenId = `tk_${randomBytes(8).toString('hex')}`;
    return this.apply(request, reply, admin, { type: 'IssueToken', principal, tokenId, sha256: hashApiToken(token), description }, () =>
      reply.code(201).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify({ id: tokenId, principal, description: description.trim(), token })),
    );
  }

  @Delete('tokens/:tokenId')
  async revokeToken(@Param('tokenId') tokenId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const admin = await this.administrator(request, reply);
    if (!admin) {
      return reply;
    }
    const { rows } = /^tk_[0-9a-f]{16}$/.test(tokenId)
      ? await this.deps.database.query<{ principal: string }>('SELECT principal FROM access_tokens WHERE token_id = $1', [tokenId])
      : { rows: [] };
    const owner = rows[0]?.principal;
    if (owner === undefined) {
      return sendProblem(request, reply, 404, 'not-found', `No token '${tokenId.slice(0, 40)}'.`);
    }
    return this.apply(request, reply, admin, { type: 'RevokeToken', principal: owner, tokenId });
  }

  /** Runs an administrator's command, waits until upload and index applied it, then answers. */
  private async apply(request: FastifyRequest, reply: FastifyReply, admin: Caller, command: IdentityCommand, answer?: () => FastifyReply): Promise<FastifyReply> {
    const outcome: IdentityOutcome = await this.handler.handle(command, admin.name, randomUUID());
    if (outcome.kind === 'rejected') {
      return sendProblem(request, reply, outcome.code === 'not-found' ? 404 : 400, outcome.code, outcome.message);
    }
    if (outcome.kind === 'changed') {
      this.logger.log(`${command.type} for ${command.principal} by ${admin.name}`);
      // Recorded: the answer is a success whatever the bus does; the wait is bounded (as for uploads).
      await this.deps.awaitApplied(outcome.eventId).catch((error: unknown) => {
        this.logger.warn(`not yet applied everywhere (${error instanceof Error ? error.message : String(error)}); the relay catches up`);
      });
    }
    return answer ? answer() : reply.code(204).send();
  }

  /** The caller when it holds `admin:*`; otherwise the 401 or 403 is sent and undefined returned. */
  private async administrator(request: FastifyRequest, reply: FastifyReply): Promise<Caller | undefined> {
    const credentials = parseAuthorization(request.headers.authorization);
    const caller = credentials.kind === 'token' ? await this.deps.access.authenticate(credentials.token) : undefined;
    if (!caller) {
      void reply.header('www-authenticate', 'Basic realm="quiver"');
      sendProblem(request, reply, 401, 'unauthenticated', 'Authentication required: use __token__ as the username and a Quiver API token as the password.');
      return undefined;
    }
    if (!permits(caller.grants, 'admin:*')) {
      sendProblem(request, reply, 403, 'forbidden', `The user '${caller.name}' isn't allowed to manage principals, grants or tokens.`);
      return undefined;
    }
    return caller;
  }
}
