import type { SqlExecutor } from '@quiver/shared-ports';
import { HEAVY_DOWNLOADS, heavyDownloaders, type ReportWindow } from './security-report.rules.js';
import type { SecurityReport } from './security-report.js';

/** Rows listed per section at most (counts stay exact). */
export const MAX_ROWS = 1000;

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

/**
 * The security report over `audit_log` for `[since, until)`. Plain SQL that Postgres and PGlite
 * both run; every query is bounded by time on the `audit_log_time` index, or by token on
 * `audit_log_token`.
 */
export async function readSecurityReport(db: SqlExecutor, window: ReportWindow, generatedAt: Date): Promise<SecurityReport> {
  const { since, until } = window;
  const history = new Date(since.getTime() - HEAVY_DOWNLOADS.previousWindows * (until.getTime() - since.getTime()));
  const [byUser, byAddress, denials, emergency, downloads, addresses] = await Promise.all([
    db.query<{ actor: string; count: string; addresses: (string | null)[] }>(
      `SELECT actor, count(*) AS count, array_agg(DISTINCT client_address) AS addresses
         FROM audit_log WHERE action = 'auth.login' AND outcome = 'denied' AND time >= $1 AND time < $2
        GROUP BY actor ORDER BY count(*) DESC, actor LIMIT ${MAX_ROWS}`,
      [since, until],
    ),
    db.query<{ client_address: string; count: string; users: string[] }>(
      `SELECT client_address, count(*) AS count, array_agg(DISTINCT actor) AS users
         FROM audit_log WHERE action = 'auth.login' AND outcome = 'denied' AND client_address IS NOT NULL AND time >= $1 AND time < $2
        GROUP BY client_address ORDER BY count(*) DESC, client_address LIMIT ${MAX_ROWS}`,
      [since, until],
    ),
    db.query<{ actor: string; client_address: string | null; unauthorized: string; forbidden: string; reasons: (string | null)[] }>(
      `SELECT actor, client_address, count(*) FILTER (WHERE status = 401) AS unauthorized, count(*) FILTER (WHERE status = 403) AS forbidden,
              array_agg(DISTINCT reason) AS reasons
         FROM audit_log WHERE action = 'auth.denied' AND time >= $1 AND time < $2
        GROUP BY actor, client_address ORDER BY count(*) DESC, actor, client_address LIMIT ${MAX_ROWS}`,
      [since, until],
    ),
    db.query<{ time: Date; actor: string; token_id: string | null; client_address: string | null; service: string; project: string | null; filename: string | null; status: number | null }>(
      `SELECT time, actor, token_id, client_address, service, project, filename, status
         FROM audit_log WHERE action = 'token.use' AND time >= $1 AND time < $2 ORDER BY time, seq LIMIT ${MAX_ROWS}`,
      [since, until],
    ),
    db.query<{ token_id: string; actor: string; downloads: string; previous: string }>(
      `SELECT token_id, max(actor) AS actor, count(*) FILTER (WHERE time >= $2) AS downloads, count(*) FILTER (WHERE time < $2) AS previous
         FROM audit_log WHERE action = 'file.download' AND outcome = 'success' AND token_id IS NOT NULL AND time >= $1 AND time < $3
        GROUP BY token_id HAVING count(*) FILTER (WHERE time >= $2) >= $4`,
      [history, since, until, HEAVY_DOWNLOADS.minimum],
    ),
    db.query<{ token_id: string; actor: string; client_address: string; first_seen: Date; uses: string }>(
      `SELECT w.token_id, max(w.actor) AS actor, w.client_address, min(w.time) AS first_seen, count(*) AS uses
         FROM audit_log w
        WHERE w.token_id IS NOT NULL AND w.client_address IS NOT NULL AND w.time >= $1 AND w.time < $2
          AND EXISTS (SELECT 1 FROM audit_log p WHERE p.token_id = w.token_id AND p.time < $1)
          AND NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.token_id = w.token_id AND p.client_address = w.client_address AND p.time < $1)
        GROUP BY w.token_id, w.client_address ORDER BY min(w.time), w.token_id LIMIT ${MAX_ROWS}`,
      [since, until],
    ),
  ]);
  const failedByUser = byUser.rows.map((row) => ({ actor: row.actor, count: Number(row.count), addresses: row.addresses.filter((a): a is string => a !== null).sort() }));
  const denialRows = denials.rows.map((row) => ({
    actor: row.actor,
    clientAddress: row.client_address,
    unauthorized: Number(row.unauthorized),
    forbidden: Number(row.forbidden),
    reasons: row.reasons.filter((r): r is string => r !== null).sort(),
  }));
  const heavy = heavyDownloaders(downloads.rows.map((row) => ({ tokenId: row.token_id, actor: row.actor, downloads: Number(row.downloads), previousDownloads: Number(row.previous) })));
  const newAddresses = addresses.rows.map((row) => ({ tokenId: row.token_id, actor: row.actor, clientAddress: row.client_address, firstSeen: iso(row.first_seen), uses: Number(row.uses) }));
  const emergencyTokenUses = emergency.rows.map((row) => ({
    time: iso(row.time),
    actor: row.actor,
    tokenId: row.token_id,
    clientAddress: row.client_address,
    service: row.service,
    project: row.project,
    filename: row.filename,
    status: row.status,
  }));
  return {
    generatedAt: generatedAt.toISOString(),
    since: since.toISOString(),
    until: until.toISOString(),
    rules: {
      heavyDownloads: `file downloads in the window > ${HEAVY_DOWNLOADS.factor} x the token's average per window over the ${HEAVY_DOWNLOADS.previousWindows} windows before, and at least ${HEAVY_DOWNLOADS.minimum}`,
      newAddress: 'a token used from an address it was never seen at before the window (tokens seen before the window only)',
    },
    failedSignIns: {
      byUser: failedByUser,
      byAddress: byAddress.rows.map((row) => ({ clientAddress: row.client_address, count: Number(row.count), users: [...row.users].sort() })),
    },
    denials: denialRows,
    emergencyTokenUses,
    heavyDownloads: heavy,
    newAddresses,
    counts: {
      failedSignIns: failedByUser.reduce((sum, row) => sum + row.count, 0),
      denials: denialRows.reduce((sum, row) => sum + row.unauthorized + row.forbidden, 0),
      emergencyTokenUses: emergencyTokenUses.length,
      heavyDownloads: heavy.length,
      newAddresses: newAddresses.length,
    },
  };
}
