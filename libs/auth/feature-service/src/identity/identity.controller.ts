import { Controller, Delete, Get, Inject, Param, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkPrincipalName, type Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { AUTH_DEPENDENCIES, type AuthDependencies } from '../auth.ports.js';
import { listTokens } from '../tokens/token-listing.js';
import { IdentityCommands, type CommandResult } from './identity-commands.js';

/**
 * Admin API for principals and grants (ARCHITECTURE §5), for holders of `admin:*`:
 * - `GET /api/auth/principals/<name>`: grants and tokens (never secrets);
 * - `PUT` / `DELETE /api/auth/principals/<name>/grants/<role>/<pattern>`, where the principal may
 *   be `group:<name>` for a directory group.
 * A change is answered once upload and index apply it.
 */
@Controller('api/auth/principals')
@Authenticated({ credentials: 'token', permission: 'admin:*' })
export class IdentityController {
  private readonly commands: IdentityCommands;

  constructor(@Inject(AUTH_DEPENDENCIES) private readonly deps: AuthDependencies) {
    this.commands = new IdentityCommands(deps);
  }

  @Get(':principal')
  async show(@Param('principal') principal: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const problem = checkPrincipalName(principal);
    if (problem) {
      return sendProblem(request, reply, 400, 'invalid', problem);
    }
    const [grants, tokens] = await Promise.all([
      this.deps.database.query<{ role: string; pattern: string }>('SELECT role, pattern FROM access_grants WHERE principal = $1 ORDER BY pattern, role', [principal]),
      listTokens(this.deps.database, { principal, now: new Date() }),
    ]);
    return reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify({ principal, grants: grants.rows, tokens }));
  }

  @Put(':principal/grants/:role/:pattern')
  async grant(@Param('principal') principal: string, @Param('role') role: string, @Param('pattern') pattern: string, @CurrentCaller() admin: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'grant.add', details: grantDetails(principal, role, pattern) });
    return answer(request, reply, await this.commands.run({ type: 'GrantRole', principal, role, pattern }, admin.name));
  }

  @Delete(':principal/grants/:role/:pattern')
  async revokeGrant(@Param('principal') principal: string, @Param('role') role: string, @Param('pattern') pattern: string, @CurrentCaller() admin: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'grant.remove', details: grantDetails(principal, role, pattern) });
    return answer(request, reply, await this.commands.run({ type: 'RevokeRole', principal, role, pattern }, admin.name));
  }
}

const grantDetails = (principal: string, role: string, pattern: string): Record<string, string> => ({ principal: principal.slice(0, 200), role: role.slice(0, 40), pattern: pattern.slice(0, 200) });

/** 204 for a command that held (changed or already so), the problem otherwise. */
export const answer = (request: FastifyRequest, reply: FastifyReply, result: CommandResult): FastifyReply =>
  result.ok ? reply.code(204).send() : sendProblem(request, reply, result.status, result.code, result.message);
