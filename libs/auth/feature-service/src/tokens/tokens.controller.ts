import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseDuration, type Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import { AUTH_DEPENDENCIES, type AuthDependencies } from '../auth.ports.js';
import { answer } from '../identity/identity.controller.js';
import { IdentityCommands } from '../identity/identity-commands.js';
import { listTokens, type TokenView } from './token-listing.js';
import { parseRotateBody, parseTokenRequestBody } from './token-request.body.js';

const TOKEN_ID = /^tk_[0-9a-f]{16}$/;
const newTokenId = (): string => `tk_${randomBytes(8).toString('hex')}`;

/**
 * Admin API for tokens, for holders of `admin:*`:
 * - `POST /api/auth/principals/<name>/tokens` (JSON: kind, expires, packages, permissions, uses,
 *   cidrs, reason, description): 201 with the token, shown this once;
 * - `GET /api/auth/tokens[?principal=…][&expiringWithinSeconds=…]`: settings and last use, never secrets;
 * - `DELETE /api/auth/tokens/<id>`: revoked at once;
 * - `POST /api/auth/tokens/<id>/rotate` (JSON `{"grace": "1h"}`): a new secret with the same
 *   settings, shown this once; the old one works for the grace.
 */
@Controller('api/auth')
@Authenticated({ credentials: 'token', permission: 'admin:*' })
export class TokensController {
  private readonly commands: IdentityCommands;

  constructor(@Inject(AUTH_DEPENDENCIES) private readonly deps: AuthDependencies) {
    this.commands = new IdentityCommands(deps);
  }

  @Post('principals/:principal/tokens')
  async issue(@Param('principal') principal: string, @Body() body: unknown, @CurrentCaller() admin: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'token.create', details: { principal: principal.slice(0, 200) } });
    const parsed = parseTokenRequestBody(body);
    if (!parsed.ok) {
      return sendProblem(request, reply, 400, 'invalid', parsed.message);
    }
    const token = generateApiToken();
    const tokenId = newTokenId();
    const result = await this.commands.run({ type: 'IssueToken', principal, tokenId, sha256: hashApiToken(token), request: parsed.value, now: new Date() }, admin.name);
    if (!result.ok) {
      return answer(request, reply, result);
    }
    const view = await this.view(tokenId);
    noteAccess(request, { action: 'token.create', details: tokenDetails(view, tokenId, principal) });
    return created(reply, { ...view, token });
  }

  @Get('tokens')
  async list(@Query('principal') principal: unknown, @Query('expiringWithinSeconds') within: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if ((principal !== undefined && typeof principal !== 'string') || (within !== undefined && (typeof within !== 'string' || !/^[0-9]{1,10}$/.test(within)))) {
      return sendProblem(request, reply, 400, 'invalid', 'Filter with principal=<name> and expiringWithinSeconds=<whole seconds>, each at most once.');
    }
    const tokens = await listTokens(this.deps.database, { ...(principal ? { principal } : {}), ...(within ? { expiringWithinSeconds: Number(within) } : {}), now: new Date() });
    return reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify({ tokens }));
  }

  @Delete('tokens/:tokenId')
  async revoke(@Param('tokenId') tokenId: string, @CurrentCaller() admin: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'token.revoke', details: { token: tokenId.slice(0, 40) } });
    const owner = await this.owner(tokenId);
    if (owner !== undefined) {
      noteAccess(request, { action: 'token.revoke', details: tokenDetails(await this.view(tokenId), tokenId, owner) });
    }
    if (owner === undefined) {
      return sendProblem(request, reply, 404, 'not-found', `No token '${tokenId.slice(0, 40)}'.`);
    }
    return answer(request, reply, await this.commands.run({ type: 'RevokeToken', principal: owner, tokenId }, admin.name));
  }

  @Post('tokens/:tokenId/rotate')
  async rotate(@Param('tokenId') tokenId: string, @Body() body: unknown, @CurrentCaller() admin: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'token.rotate', details: { token: tokenId.slice(0, 40) } });
    const parsed = parseRotateBody(body);
    const graceSeconds = parsed.ok ? (parsed.value.grace === undefined ? 0 : parseDuration(parsed.value.grace)) : undefined;
    if (graceSeconds === undefined) {
      return sendProblem(request, reply, 400, 'invalid', parsed.ok ? `'${(parsed.value.grace ?? '').slice(0, 40)}' is not a grace: use a duration such as 1h or 30m.` : parsed.message);
    }
    const owner = await this.owner(tokenId);
    if (owner === undefined) {
      return sendProblem(request, reply, 404, 'not-found', `No token '${tokenId.slice(0, 40)}'.`);
    }
    const token = generateApiToken();
    const result = await this.commands.run({ type: 'RotateToken', principal: owner, tokenId, sha256: hashApiToken(token), graceSeconds, now: new Date() }, admin.name);
    if (!result.ok) {
      return answer(request, reply, result);
    }
    const { rows } = await this.deps.database.query<{ previous_valid_until: Date }>('SELECT previous_valid_until FROM access_tokens WHERE token_id = $1', [tokenId]);
    const view = await this.view(tokenId);
    const previousValidUntil = rows[0]?.previous_valid_until.toISOString() ?? null;
    noteAccess(request, { action: 'token.rotate', details: { ...tokenDetails(view, tokenId, owner), graceSeconds, previousValidUntil } });
    return created(reply, { ...view, token, previousValidUntil });
  }

  private async owner(tokenId: string): Promise<string | undefined> {
    if (!TOKEN_ID.test(tokenId)) {
      return undefined;
    }
    const { rows } = await this.deps.database.query<{ principal: string }>('SELECT principal FROM access_tokens WHERE token_id = $1', [tokenId]);
    return rows[0]?.principal;
  }

  private async view(tokenId: string): Promise<TokenView | undefined> {
    return (await listTokens(this.deps.database, { tokenId, now: new Date() }))[0];
  }
}

/** What a token fact says of the token it concerns: never its secret or hash. */
const tokenDetails = (view: TokenView | undefined, tokenId: string, principal: string): Record<string, string | null> => ({
  token: tokenId,
  principal: view?.principal ?? principal,
  kind: view?.kind ?? null,
  expiresAt: view?.expiresAt ?? null,
});

/** The one answer that carries a secret: never cached, never logged. */
const created = (reply: FastifyReply, body: object): FastifyReply =>
  reply.code(201).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(body));
