import { Readable } from 'node:stream';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlobNotFoundError, BlobStoreUnavailableError } from '@quiver/shared-ports';
import { INDEX_DEPENDENCIES, type IndexDependencies } from '../index.ports.js';
import { requireReader } from '../read-auth.js';
import { ProjectReadModel } from '../simple/project.read-model.js';
import { parseRange } from './byte-range.js';

const METADATA_SUFFIX = '.metadata';
const contentDisposition = (filename: string): string =>
  `attachment; filename="${filename.replace(/[^\w.+-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/** Distribution files and their PEP 658 `.metadata` files: immutable, with HEAD, Range and ETag. */
@Controller('files')
export class FilesController {
  private readonly readModel: ProjectReadModel;

  constructor(@Inject(INDEX_DEPENDENCIES) private readonly deps: IndexDependencies) {
    this.readModel = new ProjectReadModel(deps.database);
  }

  /** Fastify answers HEAD through this handler too (exposeHeadRoutes); HEAD reads no bytes. */
  @Get(':sha256/:filename')
  get(@Param('sha256') sha256: string, @Param('filename') filename: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.serve(sha256, filename, request, reply, request.method === 'HEAD');
  }

  private async serve(sha256: string, filename: string, request: FastifyRequest, reply: FastifyReply, headOnly: boolean): Promise<FastifyReply> {
    if (!(await requireReader(request, reply, this.deps.authenticate))) {
      return reply;
    }
    const notFound = (): FastifyReply => reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not Found\n');
    if (!/^[0-9a-f]{64}$/.test(sha256)) {
      return notFound();
    }
    const file = await this.readModel.storedFile(sha256, filename);
    const metadataOf = !file && filename.endsWith(METADATA_SUFFIX) ? await this.readModel.storedFile(sha256, filename.slice(0, -METADATA_SUFFIX.length)) : undefined;
    const target = file ?? metadataOf?.coreMetadata;
    if (!target) {
      return notFound();
    }
    const etag = `"${target.sha256}"`;
    void reply
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('vary', 'Authorization')
      .header('content-type', file ? 'application/octet-stream' : 'text/plain; charset=utf-8')
      .header('content-disposition', contentDisposition(filename));
    if (request.headers['if-none-match'] === etag) {
      return reply.code(304).send();
    }
    const range = parseRange(request.headers.range, target.size);
    if (range.kind === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${target.size}`).send();
    }
    const partial = range.kind === 'partial';
    const length = partial ? range.end - range.start + 1 : target.size;
    void reply.code(partial ? 206 : 200).header('content-length', String(length));
    if (partial) {
      void reply.header('content-range', `bytes ${range.start}-${range.end}/${target.size}`);
    }
    if (headOnly) {
      return reply.send();
    }
    try {
      const body = await this.deps.blobs.read(target.blobKey, partial ? { start: range.start, end: range.end } : undefined);
      return reply.send(body instanceof Readable ? body : Readable.from(body));
    } catch (error) {
      if (error instanceof BlobNotFoundError || error instanceof BlobStoreUnavailableError) {
        // A row without its blob is an integrity fault (BAD-INPUT 48): never answer with other bytes.
        reply.removeHeader('content-length');
        reply.removeHeader('content-range');
        return reply.code(503).header('retry-after', '30').header('content-type', 'text/plain; charset=utf-8').send('The file is temporarily unavailable.\n');
      }
      throw error;
    }
  }
}
