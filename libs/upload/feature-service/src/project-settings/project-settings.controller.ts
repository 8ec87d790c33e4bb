import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Param, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStore } from '@quiver/shared-data-access-event-store';
import { projectStreamId } from '@quiver/shared-contracts-packages';
import type { Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { durationText, foldProject, isValidProjectName, normalizeProjectName, type ProjectSettings } from '@quiver/upload-domain';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from '../upload.ports.js';
import { forbidden } from '../http/upload-auth.js';
import { rejectionStatus } from '../http/rejection-status.js';
import { ManageReleaseHandler } from '../manage-release/manage-release.handler.js';
import { parseSettingsBody, SETTINGS } from './project-settings.request.js';

const view = (settings: ProjectSettings): Record<string, unknown> => ({
  closeReleasesAfter: settings.closeReleasesAfterSeconds === null ? null : durationText(settings.closeReleasesAfterSeconds),
  nonVolatile: settings.nonVolatile,
  uploadLimit: settings.uploadLimitBytes,
});

/**
 * Admin API: `GET /api/packages/<project>/settings` and `PUT …` with JSON
 * `{"closeReleasesAfter": "14d" | null, "nonVolatile": true | false, "uploadLimit": <bytes> | null}`
 * (any of them; the others stay). A project's administrators may change them, except that making a
 * non-volatile project volatile again (`"nonVolatile": false`) and setting its upload limit take an
 * administrator on `*`. A change is recorded as an
 * event on the project stream.
 */
@Controller('api/packages')
@Authenticated({ credentials: 'token' })
export class ProjectSettingsController {
  private readonly handler: ManageReleaseHandler;
  private readonly store: EventStore;

  constructor(@Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies) {
    this.handler = new ManageReleaseHandler(deps.database);
    this.store = new EventStore(deps.database);
  }

  @Get(':project/settings')
  async read(@Param('project') project: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    // Release policy is release management: the same grant as yanking (a project's admin).
    const denied = forbidden(caller, 'package:yank', normalizeProjectName(project));
    if (denied) {
      return sendProblem(request, reply, 403, denied.code, denied.message);
    }
    const state = isValidProjectName(project) ? foldProject((await this.store.readStream(projectStreamId(normalizeProjectName(project)))).events) : undefined;
    if (!state?.exists) {
      return sendProblem(request, reply, 404, 'not-found', 'There is no such project.');
    }
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify(view(state.settings)));
  }

  @Put(':project/settings')
  async change(@Param('project') project: string, @Body() body: unknown, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const parsed = parseSettingsBody(body);
    const given = typeof body === 'object' && body !== null ? Object.keys(body).filter((key) => SETTINGS.includes(key)) : [];
    noteAccess(request, { action: 'settings.change', project: normalizeProjectName(project).slice(0, 200), details: { setting: given.join(',') || 'none' } });
    // Release policy is release management: the same grant as yanking (a project's admin); lifting
    // the protection against deletes is the registry administrators' (a project token cannot undo it).
    // So is a project's upload limit, which may raise the registry's.
    const permission = parsed.ok && (parsed.settings.nonVolatile === false || 'uploadLimitBytes' in parsed.settings) ? 'admin:*' : 'package:yank';
    const denied = forbidden(caller, permission, normalizeProjectName(project));
    if (denied) {
      return sendProblem(request, reply, 403, denied.code, denied.message);
    }
    if (!isValidProjectName(project)) {
      return sendProblem(request, reply, 404, 'not-found', 'There is no such project.');
    }
    if (!parsed.ok) {
      return sendProblem(request, reply, 400, 'invalid-settings', parsed.message);
    }
    const command = { type: 'ChangeProjectSettings', project: normalizeProjectName(project), settings: parsed.settings } as const;
    const outcome = await this.handler.handle(command, caller.name, randomUUID());
    if (outcome.kind === 'rejected') {
      return sendProblem(request, reply, rejectionStatus(outcome.rejection.code), outcome.rejection.code, outcome.rejection.message);
    }
    const now = foldProject((await this.store.readStream(projectStreamId(command.project))).events).settings;
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ changed: outcome.kind === 'published', settings: view(now) }));
  }
}
