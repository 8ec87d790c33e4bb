import { randomUUID } from 'node:crypto';
import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type {} from '@fastify/multipart'; // request.parts() / isMultipart() types
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '@quiver/shared-feature-runtime';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from '../upload.ports.js';
import { authenticateUpload } from '../http/upload-auth.js';
import { rejectionStatus } from '../http/rejection-status.js';
import { PublishFileHandler, type PublishOutcome } from './publish-file.handler.js';
import { receiveUpload, UploadTooLargeError } from './received-upload.js';

const isTooLarge = (error: unknown): boolean =>
  error instanceof UploadTooLargeError || (error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE';

/** `POST /legacy/` (and `/legacy`, never a redirect): the upload API twine, uv and poetry speak. */
@Controller()
export class PublishFileController {
  private readonly logger = new Logger('upload');
  private readonly handler: PublishFileHandler;

  constructor(@Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies) {
    this.handler = new PublishFileHandler(deps);
  }

  @Post('legacy') // with ignoreTrailingSlash this is /legacy and /legacy/ alike
  async upload(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const auth = await authenticateUpload(request.headers.authorization, this.deps.access);
    if (!auth.ok) {
      return sendProblem(request, reply, 403, auth.rejection.code, auth.rejection.message);
    }
    if (!request.isMultipart()) {
      return sendProblem(request, reply, 400, 'missing-file', 'Upload payload does not have a file.');
    }
    const requestId = randomUUID();
    let received;
    try {
      received = await receiveUpload(request, this.deps.tempDir, this.deps.limits.maxFileBytes);
    } catch (error) {
      if (isTooLarge(error)) {
        const limitMb = Math.floor(this.deps.limits.maxFileBytes / (1024 * 1024));
        return sendProblem(request, reply, 400, 'file-too-large', `File too large. Limit for this registry is ${limitMb} MB.`);
      }
      throw error;
    }
    if (!received.ok) {
      await received.discard();
      return sendProblem(request, reply, rejectionStatus(received.rejection.code), received.rejection.code, received.rejection.message);
    }
    let outcome: PublishOutcome;
    try {
      outcome = await this.handler.handle(received.upload, auth.caller, requestId);
    } finally {
      // Before answering: once the client has its answer, nothing of the request is left on disk.
      await received.upload.discard();
    }
    switch (outcome.kind) {
      case 'rejected':
        return sendProblem(request, reply, rejectionStatus(outcome.rejection.code), outcome.rejection.code, outcome.rejection.message);
      case 'unchanged':
        return reply.code(200).send();
      case 'published':
        // Committed: the answer is 200 whatever the bus does. The wait for the index is
        // best-effort and bounded (Kafka is not on the acknowledgement path).
        await this.deps.awaitIndexed(outcome.eventId).catch((error: unknown) => {
          this.logger.warn(`not yet indexed (${error instanceof Error ? error.message : String(error)}); answering 200, the relay catches up`);
        });
        this.logger.log(`published ${received.upload.file?.filename ?? ''} by ${auth.caller.name}`);
        return reply.code(200).send();
    }
  }
}
