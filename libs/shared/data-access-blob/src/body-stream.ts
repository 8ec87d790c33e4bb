import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { BlobBody } from '@quiver/shared-ports';

/** Counts and hashes the bytes that pass through it. */
export class DigestingStream extends Transform {
  size = 0;
  private readonly hash: Hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

export const toReadable = (body: BlobBody): Readable => (body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : Readable.from(body));
