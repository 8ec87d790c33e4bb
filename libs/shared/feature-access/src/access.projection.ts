import type { RecordedIdentityEvent } from '@quiver/shared-contracts-identity';
import type { SqlExecutor } from '@quiver/shared-ports';

/**
 * Applies one identity event to the access projection, once: a redelivered event finds its id
 * already recorded and changes nothing. Returns whether it was applied now.
 */
export async function applyIdentityEvent(tx: SqlExecutor, event: RecordedIdentityEvent): Promise<boolean> {
  const fresh = await tx.query('INSERT INTO access_processed_events (event_id, position) VALUES ($1, $2) ON CONFLICT DO NOTHING', [event.eventId, event.position]);
  if (fresh.rowCount === 0) {
    return false;
  }
  await tx.query('UPDATE access_version SET version = version + 1 WHERE id = 1');
  switch (event.type) {
    case 'RoleGranted':
      await tx.query('INSERT INTO access_grants (principal, role, pattern, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        event.data.principal,
        event.data.role,
        event.data.pattern,
        event.recordedAt,
      ]);
      break;
    case 'RoleRevoked':
      await tx.query('DELETE FROM access_grants WHERE principal = $1 AND role = $2 AND pattern = $3', [event.data.principal, event.data.role, event.data.pattern]);
      break;
    case 'TokenIssued': {
      const { data } = event;
      await tx.query(
        `INSERT INTO access_tokens (token_id, principal, sha256, description, issued_at, kind, expires_at, packages, permissions, uses_allowed, cidrs, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (token_id) DO NOTHING`,
        [data.tokenId, data.principal, data.sha256, data.description, event.recordedAt, data.kind, data.expiresAt, data.packages, data.permissions, data.usesAllowed, data.cidrs, data.reason],
      );
      break;
    }
    case 'TokenRevoked':
      await tx.query('UPDATE access_tokens SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL', [event.data.tokenId, event.recordedAt]);
      break;
    case 'PrincipalFederated':
      await tx.query('INSERT INTO access_directory_users (principal, directory_id, username) VALUES ($1, $2, $3) ON CONFLICT (principal) DO NOTHING', [
        event.data.principal,
        event.data.directoryId,
        event.data.username,
      ]);
      break;
    case 'DirectoryGroupsObserved':
      await tx.query('UPDATE access_directory_users SET username = $2, groups = $3, observed_at = $4, left_at = NULL WHERE principal = $1', [
        event.data.principal,
        event.data.username,
        event.data.groups,
        event.recordedAt,
      ]);
      break;
    case 'PrincipalLeftDirectory':
      await tx.query('UPDATE access_directory_users SET left_at = $2 WHERE principal = $1', [event.data.principal, event.recordedAt]);
      break;
    case 'DirectoryChecked':
      await tx.query('UPDATE access_directory SET checked_at = GREATEST(checked_at, $1::timestamptz) WHERE id = 1', [event.data.checkedAt]);
      break;
    case 'TokenRotated':
      await tx.query('UPDATE access_tokens SET sha256 = $2, previous_sha256 = $3, previous_valid_until = $4 WHERE token_id = $1', [
        event.data.tokenId,
        event.data.sha256,
        event.data.previousSha256,
        event.data.previousValidUntil,
      ]);
      break;
  }
  return true;
}
