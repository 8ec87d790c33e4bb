import type { Reply } from './http-call.js';
import { failed, succeeded, type Result } from './outcome.js';
import { fields, printable, type CommandPlan } from './plan.js';

export interface AnswerContext {
  /** The server, as messages show it. */
  readonly url: string;
  /** Where the token came from (`QUIVER_TOKEN`, a file), for a 401; absent for `login`. */
  readonly tokenSource?: string;
  readonly json: boolean;
  /** The page's number when the plan pages (see `Paging`). */
  readonly page?: number;
}

const isJson = (contentType: string): boolean => /^application\/([\w.+-]+\+)?json\b/i.test(contentType);

/** What the server's answer to `plan`'s request prints, and the exit code. Pure. */
export function outcomeOf(plan: CommandPlan, reply: Reply, context: AnswerContext): Result {
  if (reply.kind === 'unreachable') {
    return failed({ kind: 'unreachable', url: context.url, cause: reply.cause }, context.json);
  }
  const { status, text, contentType } = reply;
  let body: unknown;
  if (text.trim() !== '' && isJson(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      return failed({ kind: 'bad-answer', message: `${context.url} answered ${status} with malformed JSON.` }, context.json);
    }
  }
  if (status >= 200 && status < 300) {
    if (body === undefined && status !== 204 && text.trim() !== '') {
      return failed({ kind: 'bad-answer', message: `${context.url} answered ${status} with ${contentType || 'no content type'}, not Quiver's JSON API: is that the registry?` }, context.json);
    }
    return succeeded(plan, body, context.json, context.page);
  }
  return failed({ kind: 'refused', status, message: refusal(reply, body, context), ...(body === undefined ? {} : { problem: body }) }, context.json);
}

function refusal(reply: Extract<Reply, { kind: 'answered' }>, body: unknown, context: AnswerContext): string {
  const problem = fields(body);
  const plain = reply.contentType.startsWith('text/plain') ? reply.text.trim().split('\n')[0]?.slice(0, 300) : undefined;
  const said = [problem['detail'], problem['title'], plain, reply.statusText].find((value): value is string => typeof value === 'string' && value.trim() !== '');
  const notes: string[] = [];
  if (reply.status === 401 && context.tokenSource !== undefined) {
    notes.push(`the token from ${context.tokenSource} was not accepted`);
  }
  if (reply.status === 403 && context.tokenSource !== undefined) {
    notes.push(`token from ${context.tokenSource}`);
  }
  if (reply.status === 429 && reply.retryAfter !== null && /^[0-9]+$/.test(reply.retryAfter)) {
    notes.push(`try again in ${reply.retryAfter} s`);
  }
  if (reply.status >= 300 && reply.status < 400 && reply.location !== null) {
    notes.push(`it redirects to ${printable(reply.location.slice(0, 200))}: set QUIVER_URL or --url to the registry itself`);
  }
  return `${reply.status} ${printable((said ?? '').trim())}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}
