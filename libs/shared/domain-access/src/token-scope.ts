/**
 * Token kinds, lifetimes and restrictions (ARCHITECTURE §5): a token acts for its principal and can
 * only narrow what the principal may do at the moment it is used. Pure.
 */
import { patternMatches, permits, permitsEverywhere, permitsSomewhere, type Caller, type Permission } from './access-policy.js';

const DAY = 86_400;
const HOUR = 3_600;

/** Each kind's longest and default life, in seconds. */
export const TOKEN_KINDS = {
  personal: { maxSeconds: 90 * DAY, defaultSeconds: 30 * DAY },
  ci: { maxSeconds: 180 * DAY, defaultSeconds: 90 * DAY },
  temporary: { maxSeconds: 24 * HOUR, defaultSeconds: HOUR },
  emergency: { maxSeconds: 24 * HOUR, defaultSeconds: HOUR },
} as const;
export type TokenKind = keyof typeof TOKEN_KINDS;

export const isTokenKind = (value: string): value is TokenKind => Object.hasOwn(TOKEN_KINDS, value);

/** The short names tokens are restricted with (`--permissions install,publish`) and what they stand for. */
export const PERMISSION_NAMES = {
  install: 'package:install',
  publish: 'package:publish',
  yank: 'package:yank',
  delete: 'package:delete',
  admin: 'admin:*',
} as const satisfies Record<string, Permission>;

export const permissionByName = (name: string): Permission | undefined =>
  Object.hasOwn(PERMISSION_NAMES, name) ? PERMISSION_NAMES[name as keyof typeof PERMISSION_NAMES] : undefined;

export const permissionName = (permission: Permission): string =>
  Object.entries(PERMISSION_NAMES).find(([, value]) => value === permission)?.[0] ?? permission;

/** Whether the caller's token (if any) lets it use `permission` at all, whatever its grants. */
function tokenPermits(caller: Caller, permission: Permission): boolean {
  const scope = caller.token;
  if (!scope) {
    return true;
  }
  if (scope.permissions && !scope.permissions.includes(permission)) {
    return false;
  }
  // A token held to some packages does not administer the registry.
  return !(scope.packages && permission === 'admin:*');
}

/** Whether the caller may use `permission` on the normalised `project` (or, for `admin:*`, on the registry). */
export function allows(caller: Caller, permission: Permission, project?: string): boolean {
  if (!permits(caller.grants, permission, project) || !tokenPermits(caller, permission)) {
    return false;
  }
  const packages = caller.token?.packages;
  return !packages || (project !== undefined && packages.some((pattern) => patternMatches(pattern, project)));
}

/** Whether the caller may use `permission` on every project (a listing needs no per-project filter). */
export const allowsEverywhere = (caller: Caller, permission: Permission): boolean =>
  permitsEverywhere(caller.grants, permission) && tokenPermits(caller, permission) && caller.token?.packages === undefined;

/** Whether the caller may use `permission` on some project: one that may not is refused before its request is read. */
export const allowsSomewhere = (caller: Caller, permission: Permission): boolean =>
  permitsSomewhere(caller.grants, permission) && tokenPermits(caller, permission) && caller.token?.packages?.length !== 0;
