/**
 * HTTP/1.1 written by hand on a real TCP socket, for the findings that are about connections:
 * bodies cut short, stalled or far too long, which no well-behaved client library sends.
 */
import { connect, type Socket } from 'node:net';
import { distributionFields } from './bad-input.js';

export interface RawResponse {
  readonly status: number;
  /** The status line and header lines, as received. */
  readonly head: string;
  /** Whatever followed the head until now. */
  readonly body: string;
}

/** One client connection under the test's control. */
export class RawConnection {
  private received = Buffer.alloc(0);
  private ended = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined); // a reset is what some tests expect; `closed` tells
  }

  static open(base: string): Promise<RawConnection> {
    const { hostname, port } = new URL(base);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes, resolving once the bytes are handed to the kernel; a write to a closed connection resolves too. */
  write(data: string | Uint8Array): Promise<void> {
    if (this.socket.destroyed || this.socket.writableEnded) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Closes at once, mid-request: what a client that gives up does. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Whether the server closed the connection (or it was reset). */
  get closed(): boolean {
    return this.ended;
  }

  /** The response's head (and what body arrived with it), once the head is complete; rejects after `timeoutMs`. */
  async response(timeoutMs: number): Promise<RawResponse> {
    await this.until(() => this.received.includes('\r\n\r\n') || this.ended, timeoutMs, 'a response');
    const text = this.received.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) {
      throw new Error(`the connection closed without a response (received ${JSON.stringify(text.slice(0, 200))})`);
    }
    const head = text.slice(0, end);
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: text.slice(end + 4) };
  }

  /** Resolves once the server has closed the connection; rejects after `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<void> {
    await this.until(() => this.ended, timeoutMs, 'the connection to close');
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${what} (received ${JSON.stringify(this.received.toString('latin1').slice(0, 200))})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      waiter();
    }
  }
}

const CRLF = '\r\n';

/** A multipart/form-data body built part by part, as twine lays it out. */
export class MultipartText {
  constructor(readonly boundary = `quiverraw${Math.random().toString(16).slice(2)}`) {}

  field(name: string, value: string): string {
    return `--${this.boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`;
  }

  /** The head of a file part; the file's bytes follow it. */
  fileHead(name: string, filename: string, type = 'application/octet-stream'): string {
    return `--${this.boundary}${CRLF}Content-Disposition: form-data; name="${name}"; filename="${filename}"${CRLF}Content-Type: ${type}${CRLF}${CRLF}`;
  }

  get closing(): string {
    return `${CRLF}--${this.boundary}--${CRLF}`;
  }
}

/** The head of a `POST /legacy/` whose body has `contentLength` bytes. */
export function uploadHead(base: string, authorization: string, contentType: string, contentLength: number): string {
  const { host } = new URL(base);
  return `POST /legacy/ HTTP/1.1${CRLF}Host: ${host}${CRLF}Authorization: ${authorization}${CRLF}Content-Type: ${contentType}${CRLF}Content-Length: ${contentLength}${CRLF}${CRLF}`;
}

/** The text fields twine sends for a wheel of `demo` 1.0, up to (not including) its file part. */
export function wheelFormFields(form: MultipartText, sha256 = '0'.repeat(64)): string {
  const fields = distributionFields({ name: 'demo-1.0-py3-none-any.whl', bytes: new Uint8Array() }, { sha256_digest: sha256 });
  return Object.entries(fields)
    .map(([name, value]) => form.field(name, String(value)))
    .join('');
}
