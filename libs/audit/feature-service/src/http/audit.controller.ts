import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { AUDIT_DEPENDENCIES, type AuditDependencies } from '../audit.ports.js';
import { parseAuditQuery, queryLog } from '../log/audit-query.js';
import { verifyLog } from '../log/audit-verify.js';

const json = (reply: FastifyReply, body: unknown): FastifyReply => reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(body));

/**
 * The audit log, for holders of `admin:*`:
 * - `GET /api/audit?actor=&token=&project=&action=&outcome=&since=&until=&after=&limit=` (also
 *   `order=desc` with `before=`): `{ entries, next }`, entries in seq order, `next` the cursor of
 *   the following page or null;
 * - `GET /api/audit/verify`: walks the hash chain, `{ ok, count, firstBroken? }`.
 */
@Controller('api/audit')
@Authenticated({ credentials: 'token', permission: 'admin:*' })
export class AuditController {
  constructor(@Inject(AUDIT_DEPENDENCIES) private readonly deps: AuditDependencies) {}

  @Get()
  async list(@Query() query: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        return sendProblem(request, reply, 400, 'invalid', `Bad filter: the query parameter '${name.slice(0, 40)}' is given more than once; give it at most once.`);
      }
      values[name] = value;
    }
    const filter = parseAuditQuery(values);
    if (!filter.ok) {
      return sendProblem(request, reply, 400, 'invalid', filter.message);
    }
    return json(reply, await queryLog(this.deps.database, filter.value));
  }

  @Get('verify')
  async verify(@Res() reply: FastifyReply): Promise<FastifyReply> {
    const verdict = await verifyLog(this.deps.database);
    return json(reply, verdict.ok ? { ok: true, count: verdict.count } : { ok: false, count: verdict.count, firstBroken: verdict.firstBroken });
  }
}
