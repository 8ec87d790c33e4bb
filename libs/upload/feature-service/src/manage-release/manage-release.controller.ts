import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { formatVersion, normalizeProjectName, parseVersion } from '@quiver/upload-domain';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from '../upload.ports.js';
import type { Permission } from '@quiver/shared-domain-access';
import { authenticateUpload, forbidden } from '../http/upload-auth.js';
import { rejectionStatus } from '../http/rejection-status.js';
import { ManageReleaseHandler } from './manage-release.handler.js';

interface YankBody {
  readonly reason?: unknown;
}

/**
 * Admin API: `POST /api/packages/<project>/releases/<version>/yank` (JSON `{"reason": "…"}`),
 * `…/unyank`, and `DELETE /api/packages/<project>/files/<filename>`. 200 with the new state, or a
 * problem document.
 */
@Controller('api/packages')
export class ManageReleaseController {
  private readonly handler: ManageReleaseHandler;

  constructor(@Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies) {
    this.handler = new ManageReleaseHandler(deps.database);
  }

  @Post(':project/releases/:version/yank')
  yank(@Param('project') project: string, @Param('version') version: string, @Body() body: YankBody | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 500) : '';
    return this.run(request, reply, 'package:yank', project, version, (v) => ({ type: 'YankRelease', project: normalizeProjectName(project), version: v, reason }));
  }

  @Post(':project/releases/:version/unyank')
  unyank(@Param('project') project: string, @Param('version') version: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.run(request, reply, 'package:yank', project, version, (v) => ({ type: 'UnyankRelease', project: normalizeProjectName(project), version: v }));
  }

  @Delete(':project/files/:filename')
  remove(@Param('project') project: string, @Param('filename') filename: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.run(request, reply, 'package:delete', project, undefined, () => ({ type: 'DeleteReleaseFile', project: normalizeProjectName(project), filename }));
  }

  private async run(
    request: FastifyRequest,
    reply: FastifyReply,
    permission: Permission,
    project: string,
    versionText: string | undefined,
    command: (version: string) => Parameters<ManageReleaseHandler['handle']>[0],
  ): Promise<FastifyReply> {
    const auth = await authenticateUpload(request.headers.authorization, this.deps.access);
    if (!auth.ok) {
      return sendProblem(request, reply, 403, auth.rejection.code, auth.rejection.message);
    }
    const denied = forbidden(auth.caller, permission, normalizeProjectName(project));
    if (denied) {
      return sendProblem(request, reply, 403, denied.code, denied.message);
    }
    const version = versionText === undefined ? undefined : parseVersion(versionText);
    if (versionText !== undefined && !version) {
      return sendProblem(request, reply, 400, 'invalid-metadata', `'${versionText.slice(0, 60)}' is not a PEP 440 version.`);
    }
    const outcome = await this.handler.handle(command(version ? formatVersion(version) : ''), auth.caller.name, randomUUID());
    if (outcome.kind === 'rejected') {
      return sendProblem(request, reply, rejectionStatus(outcome.rejection.code), outcome.rejection.code, outcome.rejection.message);
    }
    if (outcome.kind === 'published') {
      await this.deps.awaitIndexed(outcome.eventId).catch(() => undefined); // committed; indexing catches up
    }
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ changed: outcome.kind === 'published' }));
  }
}
