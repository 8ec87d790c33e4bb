/**
 * Who may do what (ARCHITECTURE §5): roles bundle permissions, grants bind a role to a principal on
 * a package pattern. Pure: the services build the grants from identity events and ask here.
 */
import { normalizeProjectName } from '@quiver/shared-domain-packaging';

export const PERMISSIONS = ['package:install', 'package:publish', 'package:yank', 'package:delete', 'admin:*'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS = {
  admin: PERMISSIONS,
  developer: ['package:install', 'package:publish'],
  ci: ['package:install', 'package:publish'],
  reader: ['package:install'],
} as const satisfies Record<string, readonly Permission[]>;
export type Role = keyof typeof ROLE_PERMISSIONS;

export const isRole = (value: string): value is Role => Object.hasOwn(ROLE_PERMISSIONS, value);

/** A role on the projects a pattern matches: a normalised name, a prefix ending in `*`, or `*`. */
export interface Grant {
  readonly role: Role;
  readonly pattern: string;
}

/** What a token narrows its principal's rights to; an absent list narrows nothing. */
export interface TokenScope {
  readonly id: string;
  readonly kind: string;
  /** Canonical package patterns (see `parsePackagePattern`) the token may act on. */
  readonly packages?: readonly string[];
  readonly permissions?: readonly Permission[];
}

/**
 * The principal a request acts for, with the grants it holds now (its own and its groups'), and
 * the scope of the token it presented (none for a password or the bootstrap administrator).
 */
export interface Caller {
  readonly name: string;
  readonly grants: readonly Grant[];
  readonly token?: TokenScope;
}

/** The bootstrap administrator (the token in `<data dir>/admin-token` / `QUIVER_ADMIN_TOKEN_SHA256`). */
export const BOOTSTRAP_ADMIN: Caller = { name: 'admin', grants: [{ role: 'admin', pattern: '*' }] };

const PRINCIPAL_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
/** Directory group names as the directory spells them, compared in lower case (`Platform Team`). */
const GROUP_NAME = /^[a-z0-9](?:[a-z0-9 ._-]{0,62}[a-z0-9])?$/;
export const GROUP_PREFIX = 'group:';

/** The grantee name of a directory group: `group:` and its name in lower case. */
export const groupPrincipal = (group: string): string => `${GROUP_PREFIX}${group.trim().toLowerCase()}`;

export const isGroupPrincipal = (name: string): boolean => name.startsWith(GROUP_PREFIX);

/**
 * Principal names are lowercase login names (`alice`, `ci-payments`) or `group:<name>` for a
 * directory group (which holds grants, never tokens); `admin` is the bootstrap administrator's.
 */
export function checkPrincipalName(name: string): string | undefined {
  if (isGroupPrincipal(name)) {
    return GROUP_NAME.test(name.slice(GROUP_PREFIX.length))
      ? undefined
      : `'${name.slice(0, 80)}' is not a valid group: use group:<name> with 1 to 64 lowercase letters, digits, spaces, '.', '_' or '-'.`;
  }
  if (!PRINCIPAL_NAME.test(name)) {
    return `'${name.slice(0, 80)}' is not a valid principal name: use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit.`;
  }
  if (name === BOOTSTRAP_ADMIN.name) {
    return `'${name}' is the bootstrap administrator, which has every permission and its own token.`;
  }
  return undefined;
}

/** Reads a package pattern as written (`Acme.*`, `acme-widget`, `*`) into its canonical form, or says why not. */
export function parsePackagePattern(text: string): { ok: true; pattern: string } | { ok: false; message: string } {
  const wildcard = text.endsWith('*');
  const stem = wildcard ? text.slice(0, -1) : text;
  if (text.length > 200 || stem.includes('*') || !/^[A-Za-z0-9._-]*$/.test(stem) || (!wildcard && stem === '')) {
    return { ok: false, message: `'${text.slice(0, 80)}' is not a package pattern: use a project name, a prefix ending in '*' (acme-*), or '*'.` };
  }
  return { ok: true, pattern: `${normalizeProjectName(stem)}${wildcard ? '*' : ''}` };
}

/** Whether a canonical pattern covers a normalised project name. */
export const patternMatches = (pattern: string, project: string): boolean =>
  pattern.endsWith('*') ? project.startsWith(pattern.slice(0, -1)) : pattern === project;

const roleHas = (role: Role, permission: Permission): boolean => (ROLE_PERMISSIONS[role] as readonly Permission[]).includes(permission);

/**
 * Whether the grants allow `permission` on the normalised `project`. `admin:*` is not about a
 * project: it needs the admin role on `*`.
 */
export function permits(grants: readonly Grant[], permission: Permission, project?: string): boolean {
  if (permission === 'admin:*') {
    return grants.some((grant) => grant.role === 'admin' && grant.pattern === '*');
  }
  return project !== undefined && grants.some((grant) => roleHas(grant.role, permission) && patternMatches(grant.pattern, project));
}

/** True when the grants allow `permission` on every project (no per-project filtering needed). */
export const permitsEverywhere = (grants: readonly Grant[], permission: Permission): boolean =>
  grants.some((grant) => grant.pattern === '*' && roleHas(grant.role, permission));

/** True when the grants allow `permission` on at least one project (a caller without it can be refused before reading a request). */
export const permitsSomewhere = (grants: readonly Grant[], permission: Permission): boolean =>
  permission === 'admin:*' ? permits(grants, permission) : grants.some((grant) => roleHas(grant.role, permission));
