import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { formatVersion, normalizeProjectName, parseVersion } from '@quiver/upload-domain';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from '../upload.ports.js';
import type { Caller, Permission } from '@quiver/shared-domain-access';
import { forbidden } from '../http/upload-auth.js';
import { rejectionStatus } from '../http/rejection-status.js';
import { ManageReleaseHandler } from './manage-release.handler.js';
import { parseYankBody } from './manage-release.request.js';

type ManageCommand = Parameters<ManageReleaseHandler['handle']>[0];
type BodyCheck = { ok: true } | { ok: false; message: string };

/**
 * Admin API: `POST /api/packages/<project>/releases/<version>/yank` (JSON `{"reason": "…"}`),
 * `…/unyank`, and `DELETE /api/packages/<project>/files/<filename>[?force=true]` (a non-volatile
 * project's files only with `force`, by an administrator on `*`). 200 with the new state, or a
 * problem document.
 */
@Controller('api/packages')
@Authenticated({ credentials: 'token' })
export class ManageReleaseController {
  private readonly handler: ManageReleaseHandler;

  constructor(@Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies) {
    this.handler = new ManageReleaseHandler(deps.database);
  }

  @Post(':project/releases/:version/yank')
  yank(@Param('project') project: string, @Param('version') version: string, @Body() body: unknown, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const parsed = parseYankBody(body);
    const reason = parsed.ok ? parsed.reason : '';
    noteAccess(request, { action: 'package.yank', ...(reason ? { details: { reason: reason.slice(0, 200) } } : {}) });
    return this.run(caller, request, reply, 'package:yank', { action: 'package.yank', project, version }, parsed, (v) => ({ type: 'YankRelease', project: normalizeProjectName(project), version: v, reason }));
  }

  @Post(':project/releases/:version/unyank')
  unyank(@Param('project') project: string, @Param('version') version: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.run(caller, request, reply, 'package:yank', { action: 'package.unyank', project, version }, { ok: true }, (v) => ({ type: 'UnyankRelease', project: normalizeProjectName(project), version: v }));
  }

  /** `?force=true` deletes from a non-volatile project too, and takes an administrator on `*`. */
  @Delete(':project/files/:filename')
  remove(
    @Param('project') project: string,
    @Param('filename') filename: string,
    @Query('force') force: unknown,
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const forced = force === 'true';
    if (forced) {
      noteAccess(request, { action: 'package.delete', details: { force: true } }); // a forced delete says so in the audit log
    }
    const check: BodyCheck = force === undefined || force === 'true' || force === 'false' ? { ok: true } : { ok: false, message: "The query parameter 'force' must be true or false, given once." };
    return this.run(caller, request, reply, forced ? 'admin:*' : 'package:delete', { action: 'package.delete', project, filename }, check, () => ({
      type: 'DeleteReleaseFile',
      project: normalizeProjectName(project),
      filename,
      ...(forced ? { force: true } : {}),
    }));
  }

  private async run(
    caller: Caller,
    request: FastifyRequest,
    reply: FastifyReply,
    permission: Permission,
    path: { readonly action: 'package.yank' | 'package.unyank' | 'package.delete'; readonly project: string; readonly version?: string; readonly filename?: string },
    body: BodyCheck,
    command: (version: string) => ManageCommand,
  ): Promise<FastifyReply> {
    const { project, version: versionText } = path;
    // Recorded when the answer goes out, with the outcome its status means (a 403 is an auth.denied).
    noteAccess(request, { action: path.action, project: normalizeProjectName(project).slice(0, 200), version: versionText?.slice(0, 100) ?? null, filename: path.filename?.slice(0, 300) ?? null });
    const denied = forbidden(caller, permission, normalizeProjectName(project));
    if (denied) {
      return sendProblem(request, reply, 403, denied.code, denied.message);
    }
    const version = versionText === undefined ? undefined : parseVersion(versionText);
    if (versionText !== undefined && !version) {
      return sendProblem(request, reply, 400, 'invalid-metadata', `'${versionText.slice(0, 60)}' is not a PEP 440 version.`);
    }
    if (!body.ok) {
      return sendProblem(request, reply, 400, 'invalid-request', body.message);
    }
    const outcome = await this.handler.handle(command(version ? formatVersion(version) : ''), caller.name, randomUUID());
    if (outcome.kind === 'rejected') {
      return sendProblem(request, reply, rejectionStatus(outcome.rejection.code), outcome.rejection.code, outcome.rejection.message);
    }
    if (outcome.kind === 'published') {
      await this.deps.awaitIndexed(outcome.eventId).catch(() => undefined); // committed; indexing catches up
    }
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ changed: outcome.kind === 'published' }));
  }
}
