import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Told of a request's answer just before its first byte is written (Fastify's `onSend`), with the
 * status set: what a service records about the answer is recorded before the client can have it.
 * Set per request (the access guard sets its service's), so one process serving several services
 * (embedded mode) tells each request's own service.
 */
export type AnswerListener = (request: FastifyRequest, reply: FastifyReply) => Promise<void> | undefined;

export const ANSWER_LISTENER = Symbol.for('quiver.answer-listener');
const PROBLEM_CODE = Symbol.for('quiver.problem-code');

type Annotated = FastifyRequest & { [ANSWER_LISTENER]?: AnswerListener; [PROBLEM_CODE]?: string };

/** Calls each request's answer listener, if it has one, before the answer goes out. */
export function listenForAnswers(instance: FastifyInstance): void {
  instance.addHook('onSend', (request, reply, payload, done) => {
    const listener = (request as Annotated)[ANSWER_LISTENER];
    let before: Promise<void> | undefined;
    if (listener !== undefined) {
      try {
        before = listener(request, reply);
      } catch {
        // a listener's fault never changes the answer
      }
    }
    if (before === undefined) {
      done(null, payload);
      return;
    }
    // What the listener recorded is written first (the journal's group commit); its failure never changes the answer.
    before.then(
      () => done(null, payload),
      () => done(null, payload),
    );
  });
}

export function setAnswerListener(request: FastifyRequest, listener: AnswerListener): void {
  (request as Annotated)[ANSWER_LISTENER] = listener;
}

/** Remembers the machine-readable code of the problem a request is answered with (sendProblem does). */
export function noteProblemCode(request: FastifyRequest, code: string): void {
  (request as Annotated)[PROBLEM_CODE] = code;
}

/** The code of the problem the request was answered with (`invalid-token`, `file-exists`, …), if any. */
export const problemCodeOf = (request: FastifyRequest): string | undefined => (request as Annotated)[PROBLEM_CODE];
