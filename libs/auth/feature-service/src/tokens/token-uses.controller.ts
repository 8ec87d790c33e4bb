import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_USES_PATH } from '@quiver/shared-feature-access';
import { parseAuthorization, Public } from '@quiver/shared-feature-runtime';
import { AUTH_DEPENDENCIES, type AuthDependencies } from '../auth.ports.js';

/**
 * `POST /-/auth/token-uses` with `Authorization: Bearer <token>`: takes one use of a token issued
 * with a use limit (204), or says none is left (401). Index and upload ask it for each request such
 * a token authenticates, so the count is exact across services and replicas. The token is its own
 * credential: only its holder can spend its uses.
 */
@Controller(TOKEN_USES_PATH.slice(1))
@Public()
export class TokenUsesController {
  constructor(@Inject(AUTH_DEPENDENCIES) private readonly deps: AuthDependencies) {}

  @Post()
  async take(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const credentials = parseAuthorization(request.headers.authorization);
    const taken = credentials.kind === 'token' && (await this.deps.access.takeUse(credentials.token));
    return reply.code(taken ? 204 : 401).header('cache-control', 'no-store').send();
  }
}
