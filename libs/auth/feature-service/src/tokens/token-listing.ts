import { PERMISSIONS, permissionName, type Permission } from '@quiver/shared-domain-access';
import type { SqlExecutor } from '@quiver/shared-ports';

/** A token as `quiver token list` shows it: its settings and last use, never its secret or hash. */
export interface TokenView {
  readonly id: string;
  readonly principal: string;
  readonly kind: string;
  readonly description: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly packages: readonly string[] | null;
  /** Short names (`install`, …, `admin`). */
  readonly permissions: readonly string[] | null;
  readonly usesAllowed: number | null;
  readonly usesLeft: number | null;
  readonly cidrs: readonly string[] | null;
  readonly reason: string | null;
  readonly lastUsedAt: string | null;
  readonly lastUsedFrom: string | null;
}

interface Row {
  token_id: string;
  principal: string;
  kind: string;
  description: string;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  packages: string[] | null;
  permissions: string[] | null;
  uses_allowed: number | null;
  used: number | null;
  cidrs: string[] | null;
  reason: string | null;
  last_used_at: Date | null;
  last_used_from: string | null;
}

const isPermission = (value: string): value is Permission => (PERMISSIONS as readonly string[]).includes(value);

export interface TokenFilter {
  readonly principal?: string;
  readonly tokenId?: string;
  /** Only live tokens that expire within this many seconds of `now`. */
  readonly expiringWithinSeconds?: number;
  readonly now: Date;
}

/** The tokens the auth service knows (its own access projection and use counts), oldest first. */
export async function listTokens(db: SqlExecutor, filter: TokenFilter): Promise<TokenView[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown): void => {
    values.push(value);
    where.push(condition(`$${values.length}`));
  };
  if (filter.principal !== undefined) {
    add((p) => `t.principal = ${p}`, filter.principal);
  }
  if (filter.tokenId !== undefined) {
    add((p) => `t.token_id = ${p}`, filter.tokenId);
  }
  if (filter.expiringWithinSeconds !== undefined) {
    add((p) => `t.revoked_at IS NULL AND t.expires_at > ${p}`, filter.now);
    add((p) => `t.expires_at <= ${p}`, new Date(filter.now.getTime() + filter.expiringWithinSeconds * 1000));
  }
  const { rows } = await db.query<Row>(
    `SELECT t.token_id, t.principal, t.kind, t.description, t.issued_at, t.expires_at, t.revoked_at, t.packages, t.permissions, t.uses_allowed,
            u.used, t.cidrs, t.reason, t.last_used_at, t.last_used_from
       FROM access_tokens t LEFT JOIN auth_token_uses u ON u.token_id = t.token_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY t.issued_at, t.token_id`,
    values,
  );
  return rows.map((row) => ({
    id: row.token_id,
    principal: row.principal,
    kind: row.kind,
    description: row.description,
    issuedAt: row.issued_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    packages: row.packages,
    permissions: row.permissions?.filter(isPermission).map(permissionName) ?? null,
    usesAllowed: row.uses_allowed,
    usesLeft: row.uses_allowed === null ? null : Math.max(0, row.uses_allowed - (row.used ?? 0)),
    cidrs: row.cidrs,
    reason: row.reason,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    lastUsedFrom: row.last_used_from,
  }));
}
