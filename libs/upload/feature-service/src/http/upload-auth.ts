import { parseAuthorization } from '@quiver/shared-feature-runtime';
import { reject, type UploadRejection } from '@quiver/upload-domain';

/** Uploads take API tokens only (BAD-INPUT 55, 56); the principal comes back, or why not. */
export async function authenticateUpload(
  header: string | undefined,
  authenticate: (token: string) => Promise<string | undefined>,
): Promise<{ ok: true; actor: string } | { ok: false; rejection: UploadRejection }> {
  const credentials = parseAuthorization(header);
  if (credentials.kind === 'password') {
    return {
      ok: false,
      rejection: reject(
        'forbidden',
        'Username/Password authentication is no longer supported. Migrate to API Tokens instead: send __token__ as the username and the token as the password.',
      ),
    };
  }
  const actor = credentials.kind === 'token' ? await authenticate(credentials.token) : undefined;
  if (!actor) {
    return {
      ok: false,
      rejection: reject('forbidden', 'Invalid or non-existent authentication information. Send __token__ as the username and a Quiver API token as the password.'),
    };
  }
  return { ok: true, actor };
}
