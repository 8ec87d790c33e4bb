import type { Database, SqlExecutor } from '@quiver/shared-ports';
import { chainHead, ENTRY_COLUMNS, entryOf, type EntryRow } from './audit-entries.js';
import { ChainCheck, type ChainVerdict } from './chain-check.js';
import { GENESIS_HASH } from './entry-hash.js';

const PAGE = 2000;

/**
 * Walks the whole log in seq order, a page at a time, from seq 1 after 64 zeros or, once pruned,
 * from the checkpoint just before the first remaining entry. The verdict names the first broken
 * entry and why (see `ChainCheck`); an untouched log verifies with its count.
 */
export function verifyLog(db: Database, pageSize = PAGE): Promise<ChainVerdict> {
  // One snapshot: entries appended while the walk runs are neither half-seen nor mistaken for forgeries.
  return db.transaction((tx) => walk(tx, pageSize), { isolation: 'repeatable read' });
}

async function walk(db: SqlExecutor, pageSize: number): Promise<ChainVerdict> {
  const head = await chainHead(db);
  const first = Number((await db.query<{ seq: unknown }>('SELECT min(seq) AS seq FROM audit_log')).rows[0]?.seq ?? 0) || undefined;
  const checkpoints = new Map(
    (await db.query<{ seq: unknown; hash: string }>('SELECT seq, hash FROM audit_checkpoints')).rows.map((row) => [Number(row.seq), row.hash] as const),
  );
  let startSeq = 1;
  let startHash = GENESIS_HASH;
  const from = first ?? head.seq + 1;
  if (from > 1) {
    const checkpoint = checkpoints.get(from - 1);
    if (checkpoint === undefined) {
      return {
        ok: false,
        count: 0,
        firstBroken: { seq: from - 1, reason: 'deleted', message: `the log starts at entry ${from} and no checkpoint covers entry ${from - 1}: entries were removed` },
      };
    }
    startSeq = from;
    startHash = checkpoint;
  }
  const check = new ChainCheck({ seq: startSeq, prevHash: startHash }, checkpoints);
  let after = startSeq - 1;
  for (;;) {
    const { rows } = await db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, pageSize]);
    for (const row of rows) {
      check.push(entryOf(row));
    }
    const last = rows.at(-1);
    if (check.done || !last || rows.length < pageSize) {
      break;
    }
    after = Number(last.seq);
  }
  return check.finish(head);
}
