import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a request body may take, and how long the rest of one is dropped after an early answer. */
export interface BodyTimeouts {
  /** Longest pause between two pieces of a body. */
  readonly idleMs: number;
  /** Longest time from the request's headers to the body's last byte. */
  readonly totalMs: number;
  /**
   * After an answer sent before the body ended (a refusal, a limit), how long the rest of the body
   * is read and dropped, so that a client still sending can read the answer, before the
   * connection is closed.
   */
  readonly lingerMs: number;
}

/** Whether the request announces a body (a length above zero, or a chunked one). */
export const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * Holds one request's body to `timeouts`. A body that pauses longer than `idleMs`, or is not
 * complete `totalMs` after the headers, gets `answer(message)` (a 408 that closes the connection)
 * if nothing was answered yet, else its connection is closed. Either way the request stream ends
 * in an error, so whoever reads the body stops and cleans up. An answer sent before the body
 * ended drops the rest for at most `lingerMs` and then closes the connection.
 *
 * Idle time is the socket's own inactivity timer, which the HTTP parser refreshes with every
 * chunk it reads; it is disarmed once the body is complete, so a slow handler never trips it.
 */
export function boundBody(request: IncomingMessage, response: ServerResponse, timeouts: BodyTimeouts, answer: (message: string) => void): void {
  const socket = request.socket;
  let watching = true;
  const stop = (): void => {
    if (!watching) {
      return;
    }
    watching = false;
    clearTimeout(total);
    response.off('timeout', onIdle);
    if (!response.writableFinished) {
      socket.setTimeout(0); // after the answer the socket's timer is Node's keep-alive timer, not ours
    }
  };
  const expire = (message: string): void => {
    stop();
    if (response.headersSent) {
      socket.destroy();
    } else {
      answer(message);
    }
  };
  // A socket timeout reaches the response still attached to it; with a listener, Node leaves the
  // socket to us instead of destroying it.
  const onIdle = (): void => {
    if (request.complete) {
      stop(); // the whole body is here; the handler is simply still working
      return;
    }
    expire(`The request body paused for more than ${seconds(timeouts.idleMs)}; the connection is closed.`);
  };
  const total = setTimeout(() => {
    if (!request.complete) {
      expire(`The request body did not arrive within ${seconds(timeouts.totalMs)}; the connection is closed.`);
    }
  }, timeouts.totalMs);
  total.unref();
  response.on('timeout', onIdle);
  socket.setTimeout(timeouts.idleMs);
  request.once('end', stop);
  request.once('close', stop);
  response.once('finish', () => {
    if (!request.complete && !request.destroyed) {
      linger(request, timeouts.lingerMs);
    }
  });
  // Once answered, a request is no longer Node's to abort when its connection closes: a body cut
  // short after the answer would leave its reader waiting for ever. End it in an error here.
  const onSocketClose = (): void => {
    if (!request.complete && !request.destroyed) {
      request.destroy(Object.assign(new Error('the connection closed before the request body ended'), { code: 'ECONNRESET' }));
    }
  };
  socket.once('close', onSocketClose);
  // A kept-alive connection carries many requests: once this body is whole, its listener goes (else
  // every upload on the connection stays reachable from the socket until it closes).
  request.once('end', () => socket.off('close', onSocketClose));
}

/** Reads and drops what is left of an answered request's body for at most `lingerMs`, then closes. */
function linger(request: IncomingMessage, lingerMs: number): void {
  const timer = setTimeout(() => request.socket.destroy(), lingerMs);
  timer.unref();
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.unpipe();
  request.resume();
}
