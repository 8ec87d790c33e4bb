import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allows, type Caller } from '@quiver/shared-domain-access';

/**
 * Whether the caller may install from the normalised project. A caller who may not gets the same 404
 * as for a project that does not exist, so names do not leak (BAD-INPUT 49).
 */
export const mayRead = (caller: Caller, project: string): boolean => allows(caller, 'package:install', project);

/**
 * Every read answer depends on the credentials: it varies by `Authorization` (and by `Accept` where
 * the representation is negotiated), and no shared cache may hand it to another user (BAD-INPUT 50).
 */
export function privateAnswer(reply: FastifyReply, options: { negotiated?: boolean; cacheControl?: string } = {}): FastifyReply {
  return reply.header('vary', options.negotiated ? 'Accept, Authorization' : 'Authorization').header('cache-control', options.cacheControl ?? 'private, no-cache');
}

/**
 * Sends an answer without content the same to GET and HEAD: a 304, a 412 without a body, or the
 * headers of a HEAD (with the Content-Length already set that a GET would send). Fastify's own HEAD
 * route gives a missing body `Content-Length: 0`, which a GET's 304 does not carry and RFC 9110
 * §8.6 forbids on a 304 or HEAD of a non-empty representation: an empty stream avoids it.
 */
export function sendEmpty(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return request.method === 'HEAD' ? reply.send(Readable.from([])) : reply.send();
}
