import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessAction, FactDetail } from '@quiver/shared-contracts-identity';
import type { Caller } from '@quiver/shared-domain-access';
import { problemCodeOf, setAnswerListener } from '@quiver/shared-feature-runtime';
import type { AccessFacts } from './access-facts.js';

/** The access facts of the module a guarded controller belongs to (each service's own). */
export const ACCESS_FACTS = Symbol('ACCESS_FACTS');

/** What a handler says its request is about; the answer's status decides the outcome. */
export interface AccessIntent {
  readonly action: AccessAction;
  readonly project?: string | null;
  readonly version?: string | null;
  readonly filename?: string | null;
  readonly details?: Readonly<Record<string, FactDetail>>;
}

interface FactContext {
  readonly facts: AccessFacts;
  readonly caller: () => Caller | undefined;
  /** Who a refused request claimed to be (the token's principal, the username tried). */
  actor?: string;
  tokenId?: string;
  intent?: AccessIntent;
  /** Set once the request's fact is recorded (or the handler recorded its own): exactly one per request. */
  done: boolean;
}

const CONTEXT = Symbol('quiver.fact-context');
type WithContext = FastifyRequest & { [CONTEXT]?: FactContext };

const DOWNLOADS: ReadonlySet<AccessAction> = new Set(['file.download', 'metadata.download']);

/**
 * Starts a request's facts (the access guard does, for its service): when the answer goes out, a
 * 401 or 403 is one `auth.denied`; otherwise the intent a handler noted is recorded with the outcome
 * its status means. Requests with neither record nothing.
 */
export function beginRequestFacts(request: FastifyRequest, facts: AccessFacts, caller: () => Caller | undefined): void {
  (request as WithContext)[CONTEXT] = { facts, caller, done: false };
  setAnswerListener(request, answered);
}

/**
 * For a route no access guard begins facts for (`@Public()`, such as sign-in) whose handler records
 * its own: the answer waits until what was recorded is written, as a guarded route's does.
 */
export function answerAfterFacts(request: FastifyRequest, facts: AccessFacts): void {
  setAnswerListener(request, () => facts.written());
}

/** Who a request that is about to be refused claimed to be. */
export function noteClaimant(request: FastifyRequest, claimant: { readonly actor?: string | undefined; readonly tokenId?: string | undefined }): void {
  const context = (request as WithContext)[CONTEXT];
  if (context) {
    context.actor = claimant.actor ?? context.actor;
    context.tokenId = claimant.tokenId ?? context.tokenId;
  }
}

/** Notes (or completes) what the request is about: its action and what it concerns. */
export function noteAccess(request: FastifyRequest, intent: AccessIntent): void {
  const context = (request as WithContext)[CONTEXT];
  if (context) {
    const before = context.intent;
    context.intent = before?.action === intent.action ? { ...before, ...intent, details: { ...before.details, ...intent.details } } : intent;
  }
}

/** The handler recorded this request's fact itself: nothing more is recorded for it. */
export function markRecorded(request: FastifyRequest): void {
  const context = (request as WithContext)[CONTEXT];
  if (context) {
    context.done = true;
  }
}

const header = (request: FastifyRequest, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};

/** Records the request's fact, if any, and returns the journal write the answer must wait for. */
function answered(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
  const context = (request as WithContext)[CONTEXT];
  if (!context || context.done) {
    return context?.facts.written();
  }
  record(request, reply, context);
  return context.facts.written();
}

function record(request: FastifyRequest, reply: FastifyReply, context: FactContext): void {
  context.done = true;
  const status = reply.statusCode;
  const caller = context.caller();
  const intent = context.intent;
  const who = {
    actor: caller?.name ?? context.actor ?? 'anonymous',
    tokenId: caller?.token?.id ?? context.tokenId ?? null,
    clientAddress: request.ip,
    userAgent: header(request, 'user-agent'),
  };
  const about = { project: intent?.project ?? null, version: intent?.version ?? null, filename: intent?.filename ?? null, status };
  if (status === 401 || status === 403) {
    const details = intent ? { ...intent.details, attempted: intent.action } : {};
    context.facts.record({ ...who, ...about, action: 'auth.denied', outcome: 'denied', reason: problemCodeOf(request) ?? null, details });
    return;
  }
  if (!intent) {
    return;
  }
  if (intent.action === 'pages.read') {
    if ((status === 200 || status === 304) && intent.project) {
      context.facts.countPageRead({ ...who, project: intent.project });
    }
    return;
  }
  if (DOWNLOADS.has(intent.action)) {
    if (request.method === 'GET' && (status === 200 || status === 206)) {
      context.facts.record({ ...who, ...about, action: intent.action, outcome: 'success', ...(intent.details ? { details: intent.details } : {}) });
    }
    return;
  }
  const outcome = status < 400 ? 'success' : status >= 500 ? 'failed' : 'refused';
  context.facts.record({
    ...who,
    ...about,
    action: intent.action,
    outcome,
    reason: outcome === 'success' ? null : (problemCodeOf(request) ?? null),
    ...(intent.details ? { details: intent.details } : {}),
  });
}
