import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatUploadTime, resolveProjectPath } from '@quiver/index-domain';
import type { Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { INDEX_DEPENDENCIES, type IndexDependencies } from '../index.ports.js';
import { mayRead, privateAnswer } from '../read-auth.js';
import { ProjectReadModel, type VersionedFile } from '../simple/project.read-model.js';

const fileJson = (file: VersionedFile) => ({
  filename: file.filename,
  url: file.url,
  digests: { sha256: file.sha256 },
  size: file.size,
  upload_time_iso_8601: formatUploadTime(file.uploadTime),
  requires_python: file.requiresPython ?? null,
  packagetype: file.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
  yanked: file.yanked !== false,
  yanked_reason: file.yanked === false ? null : file.yanked.reason || null,
  version: file.version,
});

/** `/pypi/<project>/json` and `/pypi/<project>/<version>/json`, shaped like PyPI's JSON API. */
@Controller('pypi')
@Authenticated({ credentials: 'token-or-password' })
export class PypiJsonController {
  private readonly readModel: ProjectReadModel;

  constructor(@Inject(INDEX_DEPENDENCIES) private readonly deps: IndexDependencies) {
    this.readModel = new ProjectReadModel(deps.database);
  }

  @Get(':project/json')
  project(@Param('project') project: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.render(project, undefined, caller, request, reply);
  }

  @Get(':project/:version/json')
  release(@Param('project') project: string, @Param('version') version: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.render(project, version, caller, request, reply);
  }

  private async render(raw: string, version: string | undefined, caller: Caller, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const resolved = resolveProjectPath(raw);
    if (resolved.kind === 'ok') {
      noteAccess(request, { action: 'pages.read', project: resolved.name }); // counted with the project pages
    }
    const page = resolved.kind === 'ok' && mayRead(caller, resolved.name) ? await this.readModel.projectPage(resolved.name) : undefined;
    const latestLive = page?.versions.filter((v) => page.files.some((file) => file.version === v && file.yanked === false)).at(-1);
    const chosen = version ?? latestLive ?? page?.versions.at(-1);
    if (!page || chosen === undefined || !page.versions.includes(chosen)) {
      return privateAnswer(reply.code(404)).header('content-type', 'application/json').send(JSON.stringify({ message: 'Not Found' }));
    }
    const filesOf = (v: string): ReturnType<typeof fileJson>[] => page.files.filter((file) => file.version === v).map(fileJson);
    const body = {
      info: { name: page.name, version: chosen, requires_python: page.files.find((file) => file.version === chosen)?.requiresPython ?? null },
      last_serial: page.lastSerial,
      ...(version === undefined ? { releases: Object.fromEntries(page.versions.map((v) => [v, filesOf(v)])) } : {}),
      urls: filesOf(chosen),
    };
    return privateAnswer(reply.code(200)).header('content-type', 'application/json').send(JSON.stringify(body));
  }
}
