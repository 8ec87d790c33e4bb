import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteProblemCode } from './answer-hook.js';

/**
 * Writes an error the way Python clients read it: a meaningful HTTP/1.1 reason phrase (twine and
 * poetry print it) and a body: RFC 9457 problem details for clients that accept JSON (uv shows
 * `detail`), plain text otherwise.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  noteProblemCode(request, code);
  const accept = request.headers.accept ?? '';
  reply.raw.statusMessage = reasonPhrase(message) || (STATUS_CODES[status] ?? 'Error');
  void reply.code(status);
  if (/application\/(problem\+)?json/.test(accept)) {
    return reply
      .header('content-type', 'application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: message, code }));
  }
  return reply.header('content-type', 'text/plain; charset=utf-8').send(`${message}\n`);
}

/** Reason phrases are single-line Latin-1; keep them printable ASCII and bounded. */
export const reasonPhrase = (message: string): string =>
  message
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 400)
    .trim();
