import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blake2b } from '@noble/hashes/blake2.js';
import type {} from '@fastify/multipart'; // request.parts() / isMultipart() types
import type { FastifyRequest } from 'fastify';
import { MAX_UPLOAD_LIMIT_BYTES, reject, type UploadFields, type UploadRejection } from '@quiver/upload-domain';
import { FORM_LIMITS, multipartProblem, truncatedFieldProblem } from './multipart-problem.js';
import type { UploadTempDirs } from './upload-temp-dirs.js';

/** The upload's file part, written to a private temp directory while it was hashed. */
export interface ReceivedFile {
  readonly filename: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly blake2_256: string;
  readonly md5: string;
}

export interface ReceivedUpload {
  readonly fields: UploadFields;
  readonly file?: ReceivedFile;
  /** Removes the temp directory and everything in it; safe to call twice. */
  discard(): Promise<void>;
}

/**
 * How reading an upload's body ended. Only `received` leaves anything on disk (until its
 * `discard`); a refusal or an abort has already removed its temp directory.
 */
export type ReceiveOutcome =
  | { readonly kind: 'received'; readonly upload: ReceivedUpload }
  | { readonly kind: 'refused'; readonly rejection: UploadRejection }
  /** The client went away, or its body ran out of time (the body deadline answered that): nothing to answer. */
  | { readonly kind: 'aborted'; readonly bytes: number };

class UploadTooLargeError extends Error {}

/** The largest file an upload may carry, and what a larger one is told. */
export interface FileLimit {
  readonly bytes: number;
  readonly message: string;
}

/** The registry's limit (`QUIVER_MAX_UPLOAD_BYTES`), for uploads to projects without one of their own. */
export const registryFileLimit = (bytes: number): FileLimit => ({ bytes, message: `File too large. Limit for this registry is ${Math.floor(bytes / (1024 * 1024))} MB.` });

/** Hashes bytes as they pass and fails once more than `limit` bytes went through. */
class HashingCounter extends Transform {
  size = 0;
  readonly sha256 = createHash('sha256');
  readonly md5 = createHash('md5');
  readonly blake2 = blake2b.create({ dkLen: 32 });

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      callback(new UploadTooLargeError());
      return;
    }
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.blake2.update(chunk);
    callback(null, chunk);
  }
}

/**
 * What the text fields of one upload may hold together. Each field may hold 1 MiB (a long
 * description); the multipart limits alone (1,000 fields of 1 MiB) would let one request keep
 * a gigabyte in memory, since the multipart parser keeps every field of a request until it ends.
 * Past this, the rest of the body is read and dropped unparsed, and the upload is refused.
 */
export const MAX_FIELD_BYTES_TOTAL = 4 * 1024 * 1024;

/**
 * PyPI refuses image uploads in the file part. A missing type must pass: uv sends the part without
 * a Content-Type (the parser then reports its default), twine and poetry send
 * application/octet-stream.
 */
const isRefusedFileType = (mimetype: string): boolean => /^(image|audio|video)\//i.test(mimetype);

/** Whether the request's body ended before its last byte (a stream also counts as destroyed once fully read). */
const cutShort = (request: FastifyRequest): boolean => request.raw.destroyed && !request.raw.complete;

/** Errors that say the connection went away under the parser, not that the body was malformed. */
const CONNECTION_LOST = new Set(['FST_MP_PREMATURE_CLOSE', 'ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'EPIPE']);

/**
 * Reads the multipart body part by part: text fields into memory (bounded by FORM_LIMITS), the
 * `content` part streamed to a new temp directory while it is hashed; never the file in memory.
 * However the request ends (answered, refused, aborted by the client, timed out), nothing of it
 * stays on disk unless it was `received`.
 */
export async function receiveUpload(
  request: FastifyRequest,
  tempDirs: UploadTempDirs,
  /** The limit for the project the form's `name` field names (given before the file, as every client sends it). */
  limitFor: (name: string | undefined) => Promise<FileLimit>,
  registryLimit: FileLimit,
): Promise<ReceiveOutcome> {
  let limit = registryLimit;
  const dir = await tempDirs.create();
  let writer: WriteStream | undefined;
  let counter: HashingCounter | undefined;
  const bytes = (): number => counter?.size ?? 0;
  const discard = async (): Promise<void> => {
    if (writer && !writer.closed) {
      await once(writer, 'close'); // its file may still be opening: remove the directory after it
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const fields = new Map<string, string[]>();
  let file: ReceivedFile | undefined;
  let problem: UploadRejection | undefined;
  let fieldBytes = 0;
  try {
    // The client may have gone while the request was authenticated: the parser would wait forever.
    if (cutShort(request)) {
      await discard();
      return { kind: 'aborted', bytes: 0 };
    }
    // preservePath: see the filename as sent, so a path in it is refused rather than silently stripped.
    const parts = request.parts({
      preservePath: true,
      limits: {
        // A project's own limit may be above the registry's: the file's own counter holds it to the one that applies.
        fileSize: Math.max(registryLimit.bytes, MAX_UPLOAD_LIMIT_BYTES) + 1,
        files: FORM_LIMITS.files,
        fields: FORM_LIMITS.fields,
        fieldSize: FORM_LIMITS.fieldBytes,
        fieldNameSize: FORM_LIMITS.fieldNameBytes,
        parts: FORM_LIMITS.parts,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) {
          problem ??= truncatedFieldProblem(part.fieldname, part.fieldnameTruncated);
          continue;
        }
        const value = String(part.value);
        fieldBytes += Buffer.byteLength(part.fieldname) + Buffer.byteLength(value);
        if (fieldBytes > MAX_FIELD_BYTES_TOTAL) {
          // Stop the parser: what is left of the body is drained without being parsed or kept.
          request.raw.unpipe();
          request.raw.resume();
          problem ??= reject('invalid-metadata', `Upload form fields too large: together they may hold at most ${MAX_FIELD_BYTES_TOTAL / (1024 * 1024)} MiB.`);
          break;
        }
        fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), value]);
        continue;
      }
      if (part.fieldname !== 'content' || file !== undefined || problem) {
        part.file.resume(); // gpg_signature and the like, or anything after a refusal: read and drop
        continue;
      }
      if (isRefusedFileType(part.mimetype)) {
        part.file.resume();
        problem = reject('invalid-content-type', 'Invalid distribution file.');
        continue;
      }
      limit = await limitFor(fields.get('name')?.[0]);
      counter = new HashingCounter(limit.bytes);
      const path = join(dir, 'content');
      writer = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      await pipeline(part.file, counter, writer);
      file = {
        filename: part.filename,
        path,
        size: counter.size,
        sha256: counter.sha256.digest('hex'),
        md5: counter.md5.digest('hex'),
        blake2_256: Buffer.from(counter.blake2.digest()).toString('hex'),
      };
    }
  } catch (error) {
    await discard();
    return failed(error, request, limit, bytes());
  }
  if (problem) {
    await discard();
    return { kind: 'refused', rejection: problem };
  }
  return { kind: 'received', upload: { fields, ...(file ? { file } : {}), discard } };
}

/** What an error while reading the body means: the client left, or sent something refused; anything else is ours to raise. */
function failed(error: unknown, request: FastifyRequest, limit: FileLimit, bytes: number): ReceiveOutcome {
  const code = (error as { code?: unknown }).code;
  if (error instanceof UploadTooLargeError || code === 'FST_REQ_FILE_TOO_LARGE') {
    return { kind: 'refused', rejection: reject('file-too-large', limit.message) };
  }
  if ((typeof code === 'string' && CONNECTION_LOST.has(code)) || cutShort(request)) {
    return { kind: 'aborted', bytes };
  }
  const rejection = multipartProblem(error);
  if (rejection) {
    return { kind: 'refused', rejection };
  }
  throw error;
}
