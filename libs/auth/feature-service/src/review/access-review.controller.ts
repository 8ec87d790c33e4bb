import { Controller, Get, Inject, Optional, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseDuration, type Caller } from '@quiver/shared-domain-access';
import { ACCESS_FACTS, Authenticated, CurrentCaller, markRecorded, type AccessFacts } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import type { AccessReviews } from './access-reviews.js';

export const ACCESS_REVIEWS = Symbol('ACCESS_REVIEWS');
const DEFAULT_UNUSED_DAYS = 90;
const MAX_UNUSED_DAYS = 3650;

/** `unused=90d` (a duration such as `90d` or `12h`) in days, 90 when absent; undefined when invalid. */
export function unusedDays(value: unknown): number | undefined {
  if (value === undefined) {
    return DEFAULT_UNUSED_DAYS;
  }
  const seconds = typeof value === 'string' ? parseDuration(value) : undefined;
  return seconds === undefined || seconds > MAX_UNUSED_DAYS * 86_400 ? undefined : seconds / 86_400;
}

const json = (reply: FastifyReply, status: number, body: unknown): FastifyReply =>
  reply.code(status).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(body));

/**
 * The access review, for holders of `admin:*`:
 * - `GET /api/auth/access-review?unused=90d`: every principal and group, effective grants, live
 *   tokens with kind, expiry and last use, and the flags (docs/operations/audit.md);
 * - `POST /api/auth/access-review/revoke-unused?unused=90d`: revokes the tokens flagged
 *   `never-used` or `unused`, and answers which.
 */
@Controller('api/auth/access-review')
@Authenticated({ credentials: 'token', permission: 'admin:*' })
export class AccessReviewController {
  constructor(
    @Inject(ACCESS_REVIEWS) private readonly reviews: AccessReviews,
    @Optional() @Inject(ACCESS_FACTS) private readonly facts: AccessFacts | null = null,
  ) {}

  @Get()
  async review(@Query('unused') unused: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const days = unusedDays(unused);
    if (days === undefined) {
      return sendProblem(request, reply, 400, 'invalid', `unused must be one duration such as 90d or 12h (at most ${MAX_UNUSED_DAYS}d).`);
    }
    return json(reply, 200, await this.reviews.review(days, request.headers.authorization));
  }

  @Post('revoke-unused')
  async revokeUnused(@Query('unused') unused: unknown, @CurrentCaller() admin: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const days = unusedDays(unused);
    if (days === undefined) {
      return sendProblem(request, reply, 400, 'invalid', `unused must be one duration such as 90d or 12h (at most ${MAX_UNUSED_DAYS}d).`);
    }
    const result = await this.reviews.revokeUnused(days, admin.name);
    // One request, many revocations: one `token.revoke` fact for each, as `DELETE /api/auth/tokens/<id>` records.
    const who = { actor: admin.name, tokenId: admin.token?.id ?? null, clientAddress: request.ip, userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null, status: 200 };
    for (const token of result.revoked) {
      this.facts?.record({ ...who, action: 'token.revoke', outcome: 'success', details: { token: token.tokenId, principal: token.principal, flag: token.flag, via: 'access-review', unusedDays: days } });
    }
    for (const token of result.failed) {
      this.facts?.record({ ...who, action: 'token.revoke', outcome: 'failed', reason: 'revoke-failed', details: { token: token.tokenId, via: 'access-review', unusedDays: days } });
    }
    if (this.facts) {
      markRecorded(request);
    }
    return json(reply, 200, result);
  }
}
