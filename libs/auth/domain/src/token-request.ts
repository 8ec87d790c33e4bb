/**
 * A token as an administrator (or a signing-in user) asked for it, checked against its kind's
 * rules: kind, lifetime within the kind's longest, restrictions in canonical form. Pure.
 */
import type { TokenIssued } from '@quiver/shared-contracts-identity';
import { durationText, formatDuration, isTokenKind, parseCidr, parseDuration, parsePackagePattern, permissionByName, TOKEN_KINDS } from '@quiver/shared-domain-access';

/** What the admin API receives, as typed (durations as `30d`, permissions by short name). */
export interface TokenRequest {
  readonly kind?: string;
  readonly expires?: string;
  readonly packages?: readonly string[];
  readonly permissions?: readonly string[];
  readonly uses?: number;
  readonly cidrs?: readonly string[];
  readonly reason?: string;
  readonly description?: string;
}

export type CheckedToken = Omit<TokenIssued['data'], 'principal' | 'tokenId' | 'sha256'>;

const MAX_DESCRIPTION = 200;
const MAX_REASON = 500;
const MAX_USES = 1_000_000;
const MAX_LIST = 50;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

type Result<T> = { ok: true; value: T } | { ok: false; message: string };

function text(value: string | undefined, what: string, max: number): Result<string> {
  const trimmed = (value ?? '').trim();
  if (trimmed.length > max || CONTROL.test(trimmed)) {
    return { ok: false, message: `The ${what} must be at most ${max} characters on one line.` };
  }
  return { ok: true, value: trimmed };
}

/** Each item through `parse`, or the first problem; null for an absent list (no restriction). */
function list(items: readonly string[] | undefined, what: string, parse: (item: string) => Result<string>): Result<string[] | null> {
  if (items === undefined) {
    return { ok: true, value: null };
  }
  if (items.length === 0 || items.length > MAX_LIST) {
    return { ok: false, message: `Give 1 to ${MAX_LIST} ${what}, or leave the restriction out.` };
  }
  const parsed: string[] = [];
  for (const item of items) {
    const one = parse(item);
    if (!one.ok) {
      return one;
    }
    if (!parsed.includes(one.value)) {
      parsed.push(one.value);
    }
  }
  return { ok: true, value: parsed };
}

const pattern = (item: string): Result<string> => {
  const parsed = parsePackagePattern(item.trim());
  return parsed.ok ? { ok: true, value: parsed.pattern } : parsed;
};
const permission = (item: string): Result<string> => {
  const found = permissionByName(item.trim());
  return found ? { ok: true, value: found } : { ok: false, message: `'${item.slice(0, 40)}' is not a permission: use install, publish, yank, delete or admin.` };
};
const cidr = (item: string): Result<string> => {
  const parsed = parseCidr(item);
  return parsed.ok ? { ok: true, value: parsed.cidr } : parsed;
};

/** The token's recorded settings, or the first problem in words that name the rule. */
export function checkTokenRequest(request: TokenRequest, now: Date): { ok: true; token: CheckedToken } | { ok: false; message: string } {
  const kind = request.kind ?? 'personal';
  if (!isTokenKind(kind)) {
    return { ok: false, message: `'${kind.slice(0, 40)}' is not a token kind: use ${Object.keys(TOKEN_KINDS).join(', ')}.` };
  }
  const rules = TOKEN_KINDS[kind];
  const lifetime = request.expires === undefined ? rules.defaultSeconds : parseDuration(request.expires);
  if (lifetime === undefined) {
    return { ok: false, message: `'${(request.expires ?? '').slice(0, 40)}' is not a lifetime: use a whole number of days, hours, minutes or seconds such as 30d, 12h, 90m or 45s.` };
  }
  if (lifetime > rules.maxSeconds) {
    return { ok: false, message: `A ${kind} token lives at most ${formatDuration(rules.maxSeconds)} (${durationText(rules.maxSeconds)}); ${durationText(lifetime)} is longer.` };
  }
  const description = text(request.description, 'description', MAX_DESCRIPTION);
  const reason = text(request.reason, 'reason', MAX_REASON);
  if (!description.ok || !reason.ok) {
    return { ok: false, message: description.ok ? (reason as { message: string }).message : description.message };
  }
  if (kind === 'emergency' && reason.value === '') {
    return { ok: false, message: 'An emergency token needs a reason (--reason): every use of it is reported.' };
  }
  if (request.uses !== undefined && (!Number.isInteger(request.uses) || request.uses < 1 || request.uses > MAX_USES)) {
    return { ok: false, message: `The number of uses must be a whole number from 1 to ${MAX_USES}.` };
  }
  const packages = list(request.packages, 'package patterns', pattern);
  const permissions = list(request.permissions, 'permissions', permission);
  const cidrs = list(request.cidrs, 'address ranges', cidr);
  for (const checked of [packages, permissions, cidrs]) {
    if (!checked.ok) {
      return checked;
    }
  }
  return {
    ok: true,
    token: {
      description: description.value,
      kind,
      expiresAt: new Date(now.getTime() + lifetime * 1000).toISOString(),
      packages: packages.ok ? packages.value : null,
      permissions: permissions.ok ? permissions.value : null,
      usesAllowed: request.uses ?? null,
      cidrs: cidrs.ok ? cidrs.value : null,
      reason: reason.value === '' ? null : reason.value,
    },
  };
}
