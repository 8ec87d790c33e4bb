import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Controller, Get, Inject, Logger, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { evaluatePreconditions, rangeApplies } from '@quiver/index-domain';
import type { Caller } from '@quiver/shared-domain-access';
import { Authenticated, CurrentCaller, noteAccess } from '@quiver/shared-feature-access';
import { BlobNotFoundError, BlobStoreUnavailableError, type StatedBlob } from '@quiver/shared-ports';
import { INDEX_DEPENDENCIES, type IndexDependencies } from '../index.ports.js';
import { mayRead, privateAnswer, sendEmpty } from '../read-auth.js';
import { ProjectSerials } from '../simple/project-serials.js';
import { ProjectReadModel } from '../simple/project.read-model.js';
import { parseRange } from './byte-range.js';
import { SmallFileCache } from './small-file-cache.js';
import { StoredFiles } from './stored-files.js';
import { StoredFileIntegrityError, verifiedBody } from './verified-body.js';

const METADATA_SUFFIX = '.metadata';
/** Whole files up to this size are checked before the status line and sent as one buffer. */
const SMALL_FILE_BYTES = 1024 * 1024;
const contentDisposition = (filename: string): string =>
  `attachment; filename="${filename.replace(/[^\w.+-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/**
 * Distribution files and their PEP 658 `.metadata` files: immutable, with HEAD, Range and ETag.
 * Never 200 with other bytes than were uploaded: a missing or resized object is a 502 before
 * anything is sent, and a whole-file download that does not hash to the recorded sha256 is cut
 * short instead of completed (BAD-INPUT 48, ADR 0008).
 */
@Controller('files')
@Authenticated({ credentials: 'token-or-password' })
export class FilesController {
  private readonly logger = new Logger('index');
  private readonly storedFiles: StoredFiles;
  private readonly smallFiles: SmallFileCache;

  constructor(
    @Inject(INDEX_DEPENDENCIES) private readonly deps: IndexDependencies,
    serials: ProjectSerials,
  ) {
    this.storedFiles = new StoredFiles(new ProjectReadModel(deps.database), (project) => serials.current(project));
    this.smallFiles = new SmallFileCache(deps.fileCacheBytes ?? 0, SMALL_FILE_BYTES);
  }

  /** Fastify answers HEAD through this handler too (exposeHeadRoutes); HEAD reads no bytes. */
  @Get(':sha256/:filename')
  get(@Param('sha256') sha256: string, @Param('filename') filename: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.serve(sha256, filename, caller, request, reply, request.method === 'HEAD');
  }

  private async serve(sha256: string, filename: string, caller: Caller, request: FastifyRequest, reply: FastifyReply, headOnly: boolean): Promise<FastifyReply> {
    const notFound = (): FastifyReply => privateAnswer(reply.code(404)).header('content-type', 'text/plain; charset=utf-8').send('Not Found\n');
    if (!/^[0-9a-f]{64}$/.test(sha256)) {
      return notFound();
    }
    // No distribution's name ends in `.metadata` (.whl, .tar.gz, .zip): one lookup either way.
    const wantsMetadata = filename.endsWith(METADATA_SUFFIX);
    const found = await this.storedFiles.find(sha256, wantsMetadata ? filename.slice(0, -METADATA_SUFFIX.length) : filename);
    const file = wantsMetadata ? undefined : found?.file;
    const target = file ?? found?.file.coreMetadata;
    if (!target || !found || !mayRead(caller, found.project)) {
      return notFound();
    }
    // Recorded when the answer goes out, for a GET answered 200 or 206 only (not HEAD, 304, or an error).
    noteAccess(request, { action: file ? 'file.download' : 'metadata.download', project: found.project, version: versionOf(found.file.filename), filename: found.file.filename });
    const etag = `"${target.sha256}"`;
    // Immutable, but only for the client that asked: a shared cache must not hand it to another user (ADR 0008).
    void privateAnswer(reply, { cacheControl: 'private, max-age=31536000, immutable' })
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('content-type', file ? 'application/octet-stream' : 'text/plain; charset=utf-8')
      .header('content-disposition', contentDisposition(filename));
    const precondition = evaluatePreconditions(request.headers, etag);
    if (precondition === 'not-modified') {
      return sendEmpty(request, reply.code(304));
    }
    if (precondition === 'precondition-failed') {
      return withoutFileHeaders(reply).header('etag', etag).code(412).send('Precondition Failed: If-Match names no current entity tag of this file.\n');
    }
    // A Range under an If-Range that does not name this file's strong ETag is ignored: the whole file goes out.
    const range = rangeApplies(request.headers, etag) ? parseRange(request.headers.range, target.size) : ({ kind: 'whole' } as const);
    if (range.kind === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${target.size}`).send();
    }
    const unavailable = (problem: string): FastifyReply => this.integrityFault(reply, filename, target, problem);
    // The stored object must exist with the recorded size before a status line is sent (BAD-INPUT 48).
    let stored: StatedBlob | undefined;
    try {
      stored = await this.deps.blobs.stat(target.blobKey);
    } catch (error) {
      if (error instanceof BlobStoreUnavailableError) {
        return storeDown(reply);
      }
      throw error;
    }
    if (!stored) {
      return unavailable('the stored object is missing');
    }
    if (stored.size !== target.size) {
      return unavailable(`the stored object has ${stored.size} bytes, expected ${target.size}`);
    }
    const partial = range.kind === 'partial';
    void reply.header('content-length', String(partial ? range.end - range.start + 1 : target.size));
    if (partial) {
      void reply.header('content-range', `bytes ${range.start}-${range.end}/${target.size}`);
    }
    if (headOnly) {
      // The Content-Length a GET would send (RFC 9110 §8.6), which sendEmpty keeps.
      return sendEmpty(request, reply.code(partial ? 206 : 200));
    }
    if (!partial && target.size <= SMALL_FILE_BYTES) {
      return this.sendSmall(reply, filename, target, stored.revision);
    }
    let body: AsyncIterable<Uint8Array>;
    try {
      body = await this.deps.blobs.read(target.blobKey, partial ? { start: range.start, end: range.end } : undefined);
      // A whole file is hashed as it streams; its last chunk waits for the verdict. A range cannot
      // be checked against the file's sha256: it is served from the size-checked object (ADR 0008).
      if (!partial) {
        body = await this.verified(body, filename, target);
      }
    } catch (error) {
      if (error instanceof BlobNotFoundError) {
        return unavailable('the stored object is missing'); // deleted since the stat
      }
      if (error instanceof StoredFileIntegrityError) {
        return unavailable(''); // a file of one chunk, refused before any byte went out (already alerted)
      }
      if (error instanceof BlobStoreUnavailableError) {
        return storeDown(reply);
      }
      throw error;
    }
    return reply.code(partial ? 206 : 200).send(body instanceof Readable ? body : Readable.from(body));
  }

  /**
   * A whole small file (most wheels, every `.metadata` file) is read and checked in full before its
   * status line, then sent as one buffer; checked bytes are kept for the same stored revision.
   */
  private async sendSmall(reply: FastifyReply, filename: string, target: StoredTarget, revision: string): Promise<FastifyReply> {
    let bytes = this.smallFiles.get(target.blobKey, revision);
    if (!bytes) {
      try {
        bytes = await readAtMost(await this.deps.blobs.read(target.blobKey), target.size);
      } catch (error) {
        if (error instanceof BlobNotFoundError) {
          return this.integrityFault(reply, filename, target, 'the stored object is missing'); // deleted since the stat
        }
        if (error instanceof BlobStoreUnavailableError) {
          return storeDown(reply);
        }
        throw error;
      }
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== target.sha256) {
        return this.integrityFault(reply, filename, target, `sha256 ${actual}, expected ${target.sha256}`);
      }
      this.smallFiles.set(target.blobKey, revision, bytes);
    }
    return reply.code(200).send(bytes);
  }

  /** Starts the verifying stream; a file that fits in one chunk is checked in full here, before anything is sent. */
  private async verified(body: AsyncIterable<Uint8Array>, filename: string, target: StoredTarget): Promise<AsyncIterable<Uint8Array>> {
    const chunks = verifiedBody(body, target.sha256, (error) => this.alert(filename, target, `sha256 ${error.actual}, expected ${error.expected}`))[Symbol.asyncIterator]();
    return prepend(await chunks.next(), chunks);
  }

  /** 502 for a file whose stored bytes cannot be what was uploaded, with an alert for the operator. */
  private integrityFault(reply: FastifyReply, filename: string, target: StoredTarget, problem: string): FastifyReply {
    if (problem) {
      this.alert(filename, target, problem);
    }
    return withoutFileHeaders(reply)
      .code(502)
      .send('Stored file is unavailable: its bytes in the object store are missing or do not match the recorded hash. The operator has been alerted.\n');
  }

  private alert(filename: string, target: StoredTarget, problem: string): void {
    this.logger.error(`ALERT stored file integrity: ${JSON.stringify(filename)} (blob ${target.blobKey}): ${problem}. The download was refused; run the reconcile job.`);
  }
}

/** The version in a distribution's file name (`name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`), as uploads checked it. */
export function versionOf(filename: string): string | null {
  if (filename.endsWith('.whl')) {
    return filename.split('-')[1] ?? null;
  }
  const stem = filename.replace(/\.(tar\.gz|zip)$/, '');
  const dash = stem.lastIndexOf('-');
  return dash > 0 && stem !== filename ? stem.slice(dash + 1) : null;
}

/** An error answer must not keep the file's headers (an immutable Cache-Control above all). */
function withoutFileHeaders(reply: FastifyReply): FastifyReply {
  for (const name of ['etag', 'accept-ranges', 'content-disposition', 'content-length', 'content-range']) {
    reply.removeHeader(name);
  }
  return reply.header('cache-control', 'no-store').header('content-type', 'text/plain; charset=utf-8');
}

/** The object store is down: a transient condition, unlike a missing object. */
const storeDown = (reply: FastifyReply): FastifyReply =>
  withoutFileHeaders(reply).code(503).header('retry-after', '30').send('The file is temporarily unavailable.\n');

/** The body's bytes; more than `limit` of them (the object grew since its stat) is kept as `limit + 1`, which cannot hash right. */
async function readAtMost(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (length > limit) {
      break;
    }
  }
  const [only] = chunks;
  const bytes = chunks.length === 1 && only ? Buffer.from(only.buffer, only.byteOffset, only.length) : Buffer.concat(chunks, length);
  return bytes.subarray(0, Math.min(bytes.length, limit + 1));
}

/** `first` (already read from `rest`) followed by the rest. */
async function* prepend(first: IteratorResult<Uint8Array>, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for (let next = first; next.done !== true; next = await rest.next()) {
      yield next.value;
    }
  } finally {
    await rest.return?.(); // a client that hangs up early: close the stored object too
  }
}

interface StoredTarget {
  readonly sha256: string;
  readonly size: number;
  readonly blobKey: string;
}
