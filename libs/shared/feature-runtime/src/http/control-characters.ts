import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { sendProblem } from './problem-response.js';

/**
 * A control character (Unicode Cc: U+0000–U+001F, U+007F, U+0080–U+009F) as it can appear in a
 * request target: raw, or percent-encoded (a C1 control as its two UTF-8 bytes, `%C2%80`–`%C2%9F`).
 * The router decodes path segments and the query parser decodes values; either turns exactly these
 * escapes into control characters (`%2500` decodes to the text `%00`, which is harmless).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|%(?:[01][0-9a-f]|7f)|%c2%[89][0-9a-f]/i;

/** Which part of a raw request target (`/path?query`) holds a control character once decoded. */
export function controlCharacterIn(url: string): 'path' | 'query' | undefined {
  const question = url.indexOf('?');
  if (CONTROL.test(question < 0 ? url : url.slice(0, question))) {
    return 'path';
  }
  return question >= 0 && CONTROL.test(url.slice(question + 1)) ? 'query' : undefined;
}

/**
 * `onRequest` hook: a URL whose decoded path or query holds a control character (NUL, CR, LF, …)
 * is answered 400 before any route sees it. No project name, version, file name, principal or
 * parameter Quiver serves may contain one, and a NUL in a database parameter is an error in
 * Postgres (a 500 before this hook). The URL is not echoed back and nothing is logged.
 */
export function refuseControlCharacters(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const where = controlCharacterIn(request.url);
  if (where === undefined) {
    done();
    return;
  }
  void sendProblem(
    request,
    reply.header('cache-control', 'no-store'),
    400,
    'control-character',
    `Bad request: the URL's ${where} contains a control character (such as NUL, CR or LF), which no name, version, file name or parameter may contain.`,
  );
}
