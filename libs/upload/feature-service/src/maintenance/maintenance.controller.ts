import { Body, Controller, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from '../upload.ports.js';
import { BlobMaintenance } from './blob-maintenance.js';

/** Ten years: more than any sensible grace, small enough to stay an exact number of milliseconds. */
const MAX_GRACE_SECONDS = 10 * 365 * 24 * 3600;

/** The grace a request asks for (`?graceSeconds=` or JSON `{"graceSeconds": n}`), the configured one, or why not. */
export function requestedGrace(query: unknown, body: unknown, configured: number): { ok: true; seconds: number } | { ok: false; message: string } {
  const fromQuery = (query as { graceSeconds?: unknown } | undefined)?.graceSeconds;
  const fromBody = (body as { graceSeconds?: unknown } | undefined)?.graceSeconds;
  const raw = fromQuery ?? fromBody;
  if (raw === undefined) {
    return { ok: true, seconds: configured };
  }
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_GRACE_SECONDS) {
    return { ok: false, message: `graceSeconds must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}.` };
  }
  return { ok: true, seconds };
}

/**
 * Admin API for blob maintenance (administrator token, like release management):
 * `POST /api/maintenance/gc` deletes orphan blobs older than the grace and answers
 * `{graceSeconds, scanned, kept, removed: [key…]}`; `POST /api/maintenance/reconcile` checks every
 * live file's object and answers `{checked, missing: […], corrupt: […]}` (each finding names
 * project, filename and blobKey) and logs one alert line per finding.
 */
@Controller('api/maintenance')
@Authenticated({ credentials: 'token', permission: 'admin:*' })
export class MaintenanceController {
  private readonly logger = new Logger('maintenance');
  private readonly maintenance: BlobMaintenance;

  constructor(@Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies) {
    this.maintenance = new BlobMaintenance(deps.database, deps.blobs);
  }

  @Post('gc')
  async gc(@Query() query: unknown, @Body() body: unknown, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'maintenance.run', details: { task: 'gc' } });
    const grace = requestedGrace(query, body, this.deps.maintenance.orphanGraceSeconds);
    if (!grace.ok) {
      return sendProblem(request, reply, 400, 'invalid-request', grace.message);
    }
    const result = await this.maintenance.collectOrphans(grace.seconds);
    noteAccess(request, { action: 'maintenance.run', details: { graceSeconds: result.graceSeconds, removed: result.removed.length, kept: result.kept } });
    this.logger.log(`orphan GC by ${caller.name} (grace ${result.graceSeconds} s): ${result.removed.length} removed, ${result.kept} kept of ${result.scanned}`);
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify(result));
  }

  @Post('reconcile')
  async reconcile(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    noteAccess(request, { action: 'maintenance.run', details: { task: 'reconcile' } });
    const result = await this.maintenance.reconcile((kind, finding, problem) =>
      this.logger.error(`ALERT blob integrity: ${kind} ${finding.blobKey} for ${finding.project} ${finding.filename} (${problem})`),
    );
    noteAccess(request, { action: 'maintenance.run', details: { checked: result.checked, missing: result.missing.length, corrupt: result.corrupt.length } });
    this.logger.log(`reconcile by ${caller.name}: ${result.checked} checked, ${result.missing.length} missing, ${result.corrupt.length} corrupt`);
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify(result));
  }
}
