import type { FastifyReply, FastifyRequest } from 'fastify';
import { permits, type Caller } from '@quiver/shared-domain-access';
import type { AccessControl } from '@quiver/shared-feature-access';
import { parseAuthorization } from '@quiver/shared-feature-runtime';

/**
 * Reads need a token. Without one (or with a wrong or malformed one) the answer is 401 with a Basic
 * challenge, which is what makes pip and uv consult netrc or keyring; never cached.
 */
export async function requireReader(request: FastifyRequest, reply: FastifyReply, access: AccessControl): Promise<Caller | undefined> {
  const credentials = parseAuthorization(request.headers.authorization);
  const caller = credentials.kind === 'token' ? await access.authenticate(credentials.token) : undefined;
  if (!caller) {
    void reply
      .code(401)
      .header('www-authenticate', 'Basic realm="quiver"')
      .header('vary', 'Authorization')
      .header('cache-control', 'no-store')
      .header('content-type', 'text/plain; charset=utf-8')
      .send('Authentication required: use __token__ as the username and a Quiver API token as the password.\n');
  }
  return caller;
}

/**
 * Whether the caller may install from the normalised project. A caller who may not gets the same 404
 * as for a project that does not exist, so names do not leak (BAD-INPUT 49).
 */
export const mayRead = (caller: Caller, project: string): boolean => permits(caller.grants, 'package:install', project);

/**
 * Every read answer depends on the credentials: it varies by `Authorization` (and by `Accept` where
 * the representation is negotiated), and no shared cache may hand it to another user (BAD-INPUT 50).
 */
export function privateAnswer(reply: FastifyReply, options: { negotiated?: boolean; cacheControl?: string } = {}): FastifyReply {
  return reply.header('vary', options.negotiated ? 'Accept, Authorization' : 'Authorization').header('cache-control', options.cacheControl ?? 'private, no-cache');
}
