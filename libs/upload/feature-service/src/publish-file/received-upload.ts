import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blake2b } from '@noble/hashes/blake2.js';
import type {} from '@fastify/multipart'; // request.parts() / isMultipart() types
import type { FastifyRequest } from 'fastify';
import { reject, type UploadFields, type UploadRejection } from '@quiver/upload-domain';

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

export class UploadTooLargeError extends Error {}

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

/**
 * Reads the multipart body part by part: text fields into memory (bounded by the multipart
 * limits), the `content` part streamed to disk. Never holds the file in memory.
 */
export async function receiveUpload(
  request: FastifyRequest,
  tempRoot: string,
  maxFileBytes: number,
): Promise<{ ok: true; upload: ReceivedUpload } | { ok: false; rejection: UploadRejection; discard: () => Promise<void> }> {
  const dir = await mkdtemp(join(tempRoot, 'upload-'));
  const discard = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const fields = new Map<string, string[]>();
  let file: ReceivedFile | undefined;
  let problem: UploadRejection | undefined;
  let fieldBytes = 0;
  try {
    // preservePath: see the filename as sent, so a path in it is refused rather than silently stripped.
    for await (const part of request.parts({ preservePath: true, limits: { fileSize: maxFileBytes + 1, files: 2, fields: 1000, fieldSize: 1024 * 1024, parts: 1100 } })) {
      if (part.type === 'field') {
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
      if (part.fieldname !== 'content' || file !== undefined) {
        part.file.resume(); // gpg_signature and the like: read and drop
        continue;
      }
      if (isRefusedFileType(part.mimetype)) {
        part.file.resume();
        problem ??= reject('invalid-content-type', 'Invalid distribution file.');
        continue;
      }
      const counter = new HashingCounter(maxFileBytes);
      const path = join(dir, 'content');
      await pipeline(part.file, counter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
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
    throw error;
  }
  if (problem) {
    return { ok: false, rejection: problem, discard };
  }
  return { ok: true, upload: { fields, ...(file ? { file } : {}), discard } };
}
