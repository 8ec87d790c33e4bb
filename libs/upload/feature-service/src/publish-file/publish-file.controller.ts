import { randomUUID } from 'node:crypto';
import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowsSomewhere, type Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { RateLimitedLog, sendProblem } from '@quiver/shared-feature-runtime';
import { normalizeProjectName, type UploadRejection } from '@quiver/upload-domain';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from '../upload.ports.js';
import { forbidden } from '../http/upload-auth.js';
import { rejectionStatus } from '../http/rejection-status.js';
import { contentTypeProblem } from './multipart-problem.js';
import { PublishFileHandler, type PublishOutcome } from './publish-file.handler.js';
import { receiveUpload, registryFileLimit, type ReceivedFile, type ReceivedUpload } from './received-upload.js';
import { UploadTempDirs } from './upload-temp-dirs.js';

/** `POST /legacy/` (and `/legacy`, never a redirect): the upload API twine, uv and poetry speak; and `quiver import`'s. */
@Controller()
export class PublishFileController {
  private readonly logger = new Logger('upload');
  /** Clients drop uploads at any rate they like: a line a second at most, never an error. */
  private readonly aborts = new RateLimitedLog((line) => this.logger.log(line));
  private readonly handler: PublishFileHandler;
  private readonly tempDirs: UploadTempDirs;

  constructor(@Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies) {
    this.handler = new PublishFileHandler(deps);
    this.tempDirs = new UploadTempDirs(deps.tempDir);
  }

  @Post('legacy') // with ignoreTrailingSlash this is /legacy and /legacy/ alike
  @Authenticated({ credentials: 'token' })
  async upload(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    // Everything that needs no body is decided before a byte of it is read (the guard has
    // authenticated the caller): a caller that may publish nowhere holds no connection and no temp space.
    const mayPublishNowhere = allowsSomewhere(caller, 'package:publish') ? undefined : forbidden(caller, 'package:publish');
    return this.receiveAndPublish(caller, request, reply, mayPublishNowhere, (upload, requestId) => this.handler.handle(upload, caller, requestId), () => reply.code(200).send());
  }

  /**
   * `POST /api/packages/-/import` (`quiver import`): one file whose form is read from its own
   * metadata, with the source's upload time; answers what happened to it as JSON.
   */
  @Post('api/packages/-/import')
  @Authenticated({ credentials: 'token', permission: 'admin:*' })
  async import(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.receiveAndPublish(
      caller,
      request,
      reply,
      undefined,
      (upload, requestId) => this.handler.handleImport(upload, caller, requestId),
      (outcome, file) => reply.code(200).send({ filename: file?.filename ?? null, sha256: file?.sha256 ?? null, outcome }),
    );
  }

  private async receiveAndPublish(
    caller: Caller,
    request: FastifyRequest,
    reply: FastifyReply,
    early: UploadRejection | undefined,
    publish: (upload: ReceivedUpload, requestId: string) => Promise<PublishOutcome>,
    answer: (outcome: 'published' | 'unchanged', file: ReceivedFile | undefined) => FastifyReply,
  ): Promise<FastifyReply> {
    const refuse = (rejection: UploadRejection): FastifyReply => sendProblem(request, reply, rejectionStatus(rejection.code), rejection.code, rejection.message);
    // One fact when the answer goes out: success, refused with the rejection's code, or a 403's auth.denied.
    noteAccess(request, { action: 'package.upload' });
    const before = early ?? contentTypeProblem(request.headers['content-type']);
    if (before) {
      return refuse(before);
    }
    const requestId = randomUUID();
    const received = await receiveUpload(request, this.tempDirs, (name) => this.handler.fileLimit(name), registryFileLimit(this.deps.limits.maxFileBytes));
    switch (received.kind) {
      case 'aborted':
        this.aborts.note(`upload ended by the client or its body deadline after ${received.bytes} file bytes; nothing kept`);
        return reply;
      case 'refused':
        return refuse(received.rejection);
      case 'received':
        break;
    }
    const { fields, file } = received.upload;
    const [name, version] = [fields.get('name')?.[0], fields.get('version')?.[0]];
    noteAccess(request, {
      action: 'package.upload',
      project: name === undefined ? null : normalizeProjectName(name).slice(0, 200),
      version: version === undefined ? null : version.slice(0, 100),
      filename: file ? file.filename.slice(0, 300) : null,
      ...(file ? { details: { sha256: file.sha256, bytes: file.size } } : {}),
    });
    let outcome: PublishOutcome;
    try {
      outcome = await publish(received.upload, requestId);
    } finally {
      // Before answering: once the client has its answer, nothing of the request is left on disk.
      await received.upload.discard();
    }
    switch (outcome.kind) {
      case 'rejected':
        return refuse(outcome.rejection);
      case 'unchanged':
        return answer('unchanged', file);
      case 'published':
        // Committed: the answer is 200 whatever the bus does. The wait for the index is
        // best-effort and bounded (Kafka is not on the acknowledgement path).
        await this.deps.awaitIndexed(outcome.eventId).catch((error: unknown) => {
          this.logger.warn(`not yet indexed (${error instanceof Error ? error.message : String(error)}); answering 200, the relay catches up`);
        });
        this.logger.log(`published ${file?.filename ?? ''} by ${caller.name}`);
        return answer('published', file);
    }
  }
}
