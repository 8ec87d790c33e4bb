import type { FastifyReply } from 'fastify';
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
