import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  evaluatePreconditions,
  negotiateSimpleFormat,
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  resolveProjectPath,
} from '@quiver/index-domain';
import { INDEX_DEPENDENCIES, type IndexDependencies } from '../index.ports.js';
import { allowsEverywhere, type Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { SingleQuery } from '@quiver/shared-feature-runtime';
import { mayRead, privateAnswer, sendEmpty } from '../read-auth.js';
import { PageCache } from './page-cache.js';
import { ProjectReadModel } from './project.read-model.js';
import { ProjectSerials } from './project-serials.js';

/** PEP 503 HTML and PEP 691 JSON, chosen by `Accept` (or `?format=`). */
@Controller('simple')
@Authenticated({ credentials: 'token-or-password' })
export class SimpleController {
  private readonly readModel: ProjectReadModel;
  private readonly cache: PageCache;

  constructor(
    @Inject(INDEX_DEPENDENCIES) private readonly deps: IndexDependencies,
    private readonly serials: ProjectSerials,
  ) {
    this.readModel = new ProjectReadModel(deps.database);
    this.cache = new PageCache(deps.pageCacheBytes);
  }

  @Get('/')
  async index(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply, @SingleQuery('format') format?: string): Promise<FastifyReply> {
    const mediaType = negotiateSimpleFormat(request.headers.accept, format);
    const all = await this.readModel.listProjects();
    // The registry's last serial, as mirrors read it: the highest any project reached (a project
    // keeps its serial, and so its row, forever), from the rows just read, so no other query.
    const lastSerial = all.reduce((max, project) => Math.max(max, project.lastSerial), 0);
    // Only the projects the caller may install from are listed.
    const projects = allowsEverywhere(caller, 'package:install') ? all : all.filter((project) => mayRead(caller, project.name));
    const body = mediaType.endsWith('json') ? renderIndexJson(projects, lastSerial) : renderIndexHtml(projects);
    return this.send(reply.header('x-pypi-last-serial', String(lastSerial)), mediaType, body);
  }

  /** `/simple/<name>/`; the slash-less and non-normalised forms redirect to it (BAD-INPUT 51). */
  @Get(':project')
  async project(
    @Param('project') raw: string,
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @SingleQuery('format') format?: string,
  ): Promise<FastifyReply> {
    const resolved = resolveProjectPath(raw);
    const hasSlash = request.url.split('?')[0]?.endsWith('/') ?? false;
    if (resolved.kind === 'redirect' || (resolved.kind === 'ok' && !hasSlash)) {
      const location = resolved.kind === 'redirect' ? resolved.location : `/simple/${resolved.name}/`;
      return privateAnswer(reply.code(301), { negotiated: true }).header('location', location).send();
    }
    const mediaType = negotiateSimpleFormat(request.headers.accept, format);
    if (resolved.kind === 'ok') {
      noteAccess(request, { action: 'pages.read', project: resolved.name }); // counted, not logged one by one
    }
    const page = resolved.kind === 'ok' && mayRead(caller, resolved.name) ? await this.page(resolved.name, mediaType) : undefined;
    if (!page) {
      return privateAnswer(reply.code(404), { negotiated: true }).header('content-type', 'text/plain; charset=utf-8').send('Not Found: no such project\n');
    }
    const etag = `"${page.serial}-${mediaType.endsWith('json') ? 'j' : 'h'}"`;
    void reply.header('x-pypi-last-serial', String(page.serial)).header('etag', etag);
    const precondition = evaluatePreconditions(request.headers, etag);
    if (precondition !== 'proceed') {
      return sendEmpty(request, privateAnswer(reply.code(precondition === 'not-modified' ? 304 : 412), { negotiated: true }));
    }
    return this.send(reply, mediaType, page.body);
  }

  /** The project's page in `mediaType` at its current serial: cached while the serial holds, else read and rendered. */
  private async page(name: string, mediaType: string): Promise<{ readonly body: Buffer; readonly serial: number } | undefined> {
    const cached = this.cache.get(name, mediaType);
    if (cached && (await this.serials.isCurrent(name, cached.page.serial, cached.page.live))) {
      return { body: cached.body, serial: cached.page.serial };
    }
    if ((await this.serials.current(name)) === undefined) {
      return undefined; // unknown here: no read of the database for it (a 404 must stay cheap)
    }
    const live = this.serials.live(name); // before the read: a change during it leaves the entry stale, not wrong
    const page = await this.readModel.projectPage(name);
    if (!page) {
      return undefined;
    }
    const body = mediaType.endsWith('json') ? renderProjectJson(page) : renderProjectHtml(page);
    return { body: this.cache.set(name, page.lastSerial, live, mediaType, body), serial: page.lastSerial };
  }

  /** Bodies go out as bytes: Fastify would append `; charset=utf-8` to a JSON string, and PEP 691 names the bare type. */
  private send(reply: FastifyReply, mediaType: string, body: string | Buffer): FastifyReply {
    const json = mediaType.endsWith('json');
    return privateAnswer(reply.code(200), { negotiated: true })
      .header('content-type', json ? mediaType : `${mediaType}; charset=utf-8`)
      .send(typeof body === 'string' ? Buffer.from(body) : body);
  }
}
