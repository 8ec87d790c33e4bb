import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseAuthorization } from '@quiver/shared-feature-runtime';

/**
 * Reads need a token. Without one (or with a wrong or malformed one) the answer is 401 with a Basic
 * challenge, which is what makes pip and uv consult netrc or keyring; never cached.
 */
export async function requireReader(
  request: FastifyRequest,
  reply: FastifyReply,
  authenticate: (token: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  const credentials = parseAuthorization(request.headers.authorization);
  const principal = credentials.kind === 'token' ? await authenticate(credentials.token) : undefined;
  if (!principal) {
    void reply
      .code(401)
      .header('www-authenticate', 'Basic realm="quiver"')
      .header('vary', 'Authorization')
      .header('cache-control', 'no-store')
      .header('content-type', 'text/plain; charset=utf-8')
      .send('Authentication required: use __token__ as the username and a Quiver API token as the password.\n');
  }
  return principal;
}

/**
 * Every read answer depends on the credentials: it varies by `Authorization` (and by `Accept` where
 * the representation is negotiated), and no shared cache may hand it to another user (BAD-INPUT 50).
 */
export function privateAnswer(reply: FastifyReply, options: { negotiated?: boolean; cacheControl?: string } = {}): FastifyReply {
  return reply.header('vary', options.negotiated ? 'Accept, Authorization' : 'Authorization').header('cache-control', options.cacheControl ?? 'private, no-cache');
}
