import type { ReviewDirectoryUser, ReviewGrant, ReviewToken } from '@quiver/auth-domain';
import type { SqlExecutor } from '@quiver/shared-ports';

export interface ReviewData {
  readonly grants: readonly ReviewGrant[];
  readonly tokens: readonly ReviewToken[];
  readonly directoryUsers: readonly ReviewDirectoryUser[];
  readonly directoryCheckedAt: Date | null;
}

/**
 * What the review reads from the auth service's own access projection: grants, live tokens with
 * their last use (kept from token-use facts), and directory users as the directory sweeper last
 * read them (`left_at` is set when a re-read no longer finds the user).
 */
export async function readReviewData(db: SqlExecutor, now: Date): Promise<ReviewData> {
  const [grants, tokens, users, checked] = await Promise.all([
    db.query<{ principal: string; role: string; pattern: string }>('SELECT principal, role, pattern FROM access_grants ORDER BY principal, pattern, role'),
    db.query<{ token_id: string; principal: string; kind: string; description: string; issued_at: Date; expires_at: Date; revoked_at: Date | null; last_used_at: Date | null; last_used_from: string | null }>(
      `SELECT token_id, principal, kind, description, issued_at, expires_at, revoked_at, last_used_at, last_used_from
         FROM access_tokens WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY principal, issued_at, token_id`,
      [now],
    ),
    db.query<{ principal: string; username: string; groups: string[]; left_at: Date | null }>('SELECT principal, username, groups, left_at FROM access_directory_users ORDER BY principal'),
    db.query<{ checked_at: Date | null }>('SELECT checked_at FROM access_directory WHERE id = 1'),
  ]);
  return {
    grants: grants.rows,
    tokens: tokens.rows.map((row) => ({
      id: row.token_id,
      principal: row.principal,
      kind: row.kind,
      description: row.description,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      lastUsedAt: row.last_used_at,
      lastUsedFrom: row.last_used_from,
    })),
    directoryUsers: users.rows.map((row) => ({ principal: row.principal, username: row.username, groups: row.groups, leftAt: row.left_at })),
    directoryCheckedAt: checked.rows[0]?.checked_at ?? null,
  };
}
