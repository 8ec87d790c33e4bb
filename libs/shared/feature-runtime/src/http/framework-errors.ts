import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem-response.js';

/**
 * Longest path segment the router matches. A parameter is a project name (at most 200 characters
 * here) or a file name, and a wheel's name with a long project name and several platform tags
 * passes Fastify's default of 100 (`…-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`).
 */
export const MAX_PATH_SEGMENT = 1024;

/**
 * The router's own refusals (a path that is not valid percent-encoding, a segment over
 * MAX_PATH_SEGMENT), answered like every other refusal and without echoing the path, which
 * Fastify's default body would.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendProblem(request, reply, 414, 'uri-too-long', `A segment of the URL's path is longer than ${MAX_PATH_SEGMENT} characters; no name or file name Quiver serves is that long.`);
    return;
  }
  void sendProblem(request, reply, 400, 'bad-url', 'Bad request: the URL is not a valid percent-encoded path.');
}
