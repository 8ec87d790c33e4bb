import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { SECURITY_REPORTS, type SecurityReports } from './security-reports.js';

/**
 * `GET /api/audit/security-report?since=7d` (admin): failed sign-ins by user and address, denials,
 * emergency-token uses, unusual download volumes and new addresses (docs/operations/audit.md).
 */
@Controller('api/audit/security-report')
@Authenticated({ credentials: 'token', permission: 'admin:*' })
export class SecurityReportController {
  constructor(@Inject(SECURITY_REPORTS) private readonly reports: SecurityReports) {}

  @Get()
  async report(@Query('since') since: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const report = since === undefined || typeof since === 'string' ? await this.reports.report(since) : undefined;
    if (report === undefined) {
      return sendProblem(request, reply, 400, 'invalid', 'since must be one duration such as 7d or 24h, or an ISO time in the past (at most 366 days back).');
    }
    return reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store').send(JSON.stringify(report));
  }
}
