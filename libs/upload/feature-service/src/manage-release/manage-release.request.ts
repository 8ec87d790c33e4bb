import { textProblem } from '../http/request-text.js';

/** PEP 592 leaves the length open; what the simple pages show stays readable. */
export const MAX_YANK_REASON_CHARACTERS = 500;

const USAGE = `Send {"reason": "why"} (one line of at most ${MAX_YANK_REASON_CHARACTERS} characters), or no body.`;

/**
 * The JSON body of `POST /api/packages/<project>/releases/<version>/yank`, validated at the request
 * boundary: the reason (empty when none is given), or what is wrong with it.
 */
export function parseYankBody(body: unknown): { ok: true; reason: string } | { ok: false; message: string } {
  if (body === undefined || body === null) {
    return { ok: true, reason: '' };
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: `The body must be a JSON object. ${USAGE}` };
  }
  const unknown = Object.keys(body).find((key) => key !== 'reason');
  if (unknown !== undefined) {
    return { ok: false, message: `Unknown field '${unknown.slice(0, 40).replace(/[^\w.-]/g, '?')}'. ${USAGE}` };
  }
  const reason: unknown = (body as Record<string, unknown>)['reason'];
  if (reason === undefined || reason === null) {
    return { ok: true, reason: '' };
  }
  if (typeof reason !== 'string') {
    return { ok: false, message: `'reason' must be a string. ${USAGE}` };
  }
  const problem = textProblem(reason);
  if (problem !== undefined) {
    return { ok: false, message: `'reason' ${problem}. ${USAGE}` };
  }
  if ([...reason].length > MAX_YANK_REASON_CHARACTERS) {
    return { ok: false, message: `'reason' is longer than ${MAX_YANK_REASON_CHARACTERS} characters. ${USAGE}` };
  }
  return { ok: true, reason };
}
