import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ClientOptions } from 'minio';

/** Idle keep-alive sockets are dropped before typical server idle timeouts (Jetty, nginx, S3: 5 s and up) can race a reuse. */
const FREE_SOCKET_IDLE_MS = 4_000;

export interface S3Transport {
  readonly transport: NonNullable<ClientOptions['transport']>;
  readonly agent: HttpAgent;
}

/**
 * The `minio` client's HTTP transport with an idle timeout it lacks: a request whose socket sees no
 * traffic for `timeoutMs` (no connection, no answer, a stalled body in either direction) is
 * destroyed with an `ETIMEDOUT` error instead of hanging its caller forever.
 */
export function timedTransport(secure: boolean, timeoutMs: number): S3Transport {
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, timeout: FREE_SOCKET_IDLE_MS })
    : new HttpAgent({ keepAlive: true, timeout: FREE_SOCKET_IDLE_MS });
  const send = secure ? httpsRequest : httpRequest;
  const request = (options: RequestOptions, callback?: (response: IncomingMessage) => void): ClientRequest => {
    const req = send({ ...options, timeout: timeoutMs }, callback);
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error(`The object store did not answer within ${timeoutMs} ms.`), { code: 'ETIMEDOUT' }));
    });
    return req;
  };
  return { transport: { request: request as typeof httpRequest }, agent };
}
