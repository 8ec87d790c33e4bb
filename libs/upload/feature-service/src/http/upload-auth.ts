import { permits, type Caller, type Permission } from '@quiver/shared-domain-access';
import type { AccessControl } from '@quiver/shared-feature-access';
import { parseAuthorization } from '@quiver/shared-feature-runtime';
import { reject, type UploadRejection } from '@quiver/upload-domain';

/** Uploads take API tokens only (BAD-INPUT 55, 56); the caller comes back, or why not. */
export async function authenticateUpload(
  header: string | undefined,
  access: AccessControl,
): Promise<{ ok: true; caller: Caller } | { ok: false; rejection: UploadRejection }> {
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
  const caller = credentials.kind === 'token' ? await access.authenticate(credentials.token) : undefined;
  if (!caller) {
    return {
      ok: false,
      rejection: reject('forbidden', 'Invalid or non-existent authentication information. Send __token__ as the username and a Quiver API token as the password.'),
    };
  }
  return { ok: true, caller };
}

const ACTIONS: Record<Permission, string> = {
  'package:install': 'install from',
  'package:publish': 'upload to',
  'package:yank': 'manage releases of',
  'package:delete': 'delete files of',
  'admin:*': 'administer',
};

/**
 * Undefined when the caller holds `permission` on the normalised `project` (or, for `admin:*`, on
 * the registry); otherwise the 403 (BAD-INPUT 45), worded like PyPI's.
 */
export function forbidden(caller: Caller, permission: Permission, project?: string): UploadRejection | undefined {
  if (permits(caller.grants, permission, project)) {
    return undefined;
  }
  const what = project === undefined ? 'this registry' : `project '${project}'`;
  return reject('forbidden', `The user '${caller.name}' isn't allowed to ${ACTIONS[permission]} ${what}. See \`quiver grant --help\` for more information.`);
}
