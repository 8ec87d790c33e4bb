/** The words of a permission refusal: who may not do what, and whether the principal or the token is the reason. Pure. */
import { permits, permitsSomewhere, type Caller, type Permission } from './access-policy.js';
import { allows, permissionName } from './token-scope.js';

const ACTIONS: Record<Permission, string> = {
  'package:install': 'install from',
  'package:publish': 'upload to',
  'package:yank': 'manage releases of',
  'package:delete': 'delete files of',
  'admin:*': 'administer',
};

export interface Refusal {
  /** `forbidden`: the principal holds no such grant; `token-scope`: it does, and its token is narrower. */
  readonly code: 'forbidden' | 'token-scope';
  readonly message: string;
}

/** Undefined when the caller may use `permission` on the normalised `project` (or the registry); else why not, worded like PyPI. */
export function refusal(caller: Caller, permission: Permission, project?: string): Refusal | undefined {
  if (allows(caller, permission, project)) {
    return undefined;
  }
  // Without a project (a request refused before it names one): may the principal do it anywhere?
  const principalMay = project === undefined && permission !== 'admin:*' ? permitsSomewhere(caller.grants, permission) : permits(caller.grants, permission, project);
  if (principalMay) {
    const token = caller.token;
    const permissionNarrowed = token?.permissions !== undefined && !token.permissions.includes(permission);
    if (!permissionNarrowed && project !== undefined && token?.packages) {
      return { code: 'token-scope', message: `Invalid API Token: project-scoped token is not valid for project: '${project}'` };
    }
    return { code: 'token-scope', message: `Invalid API Token: the token is not valid for permission: ${permissionName(permission)}` };
  }
  const what = project === undefined ? 'this registry' : `project '${project}'`;
  return { code: 'forbidden', message: `The user '${caller.name}' isn't allowed to ${ACTIONS[permission]} ${what}. See \`quiver grant --help\` for more information.` };
}
