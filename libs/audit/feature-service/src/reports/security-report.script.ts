import type { SqlExecutor } from '@quiver/shared-ports';

/**
 * A scripted month of access facts for the security report's tests, written straight into
 * `audit_log` (the writer is not under test here). The report runs at `REPORT_AT` over `7d`.
 */
export const REPORT_AT = new Date('2026-12-29T00:00:00Z');
const WINDOW_START = new Date('2026-12-22T00:00:00Z');
const WEEK = 7 * 86_400_000;

interface Fact {
  readonly time: Date;
  readonly action: string;
  readonly outcome: string;
  readonly actor: string;
  readonly tokenId?: string;
  readonly address?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly service?: string;
  readonly project?: string;
  readonly filename?: string;
}

/** `n` moments spread evenly over the week that starts `weeksBefore` weeks before the window (0: the window). */
const spread = (n: number, weeksBefore: number): Date[] =>
  Array.from({ length: n }, (_, i) => new Date(WINDOW_START.getTime() - weeksBefore * WEEK + Math.floor(((i + 0.5) * WEEK) / n)));

const downloads = (tokenId: string, actor: string, address: string, perWeek: readonly number[], inWindow: number): Fact[] =>
  [...perWeek.flatMap((n, i) => spread(n, i + 1)), ...spread(inWindow, 0)].map((time) => ({ time, action: 'file.download', outcome: 'success', actor, tokenId, address, status: 200, service: 'index', project: 'acme-web', filename: 'acme_web-1.0-py3-none-any.whl' }));

const at = (iso: string): Date => new Date(iso);

export function scriptedMonth(): Fact[] {
  return [
    // Failed sign-ins in the window: alice six times from one address, two names tried from another.
    ...Array.from({ length: 6 }, (_, i) => ({ time: new Date(WINDOW_START.getTime() + (i + 1) * 3_600_000), action: 'auth.login', outcome: 'denied', actor: 'alice', address: '10.1.1.1', status: 401, reason: 'bad-password', service: 'auth' })),
    { time: at('2026-12-23T10:00:00Z'), action: 'auth.login', outcome: 'denied', actor: 'mallory', address: '10.6.6.6', status: 401, reason: 'bad-password', service: 'auth' },
    { time: at('2026-12-23T10:01:00Z'), action: 'auth.login', outcome: 'denied', actor: 'root', address: '10.6.6.6', status: 401, reason: 'bad-password', service: 'auth' },
    // Clean: a failed sign-in before the window, and a successful one in it.
    { time: at('2026-12-10T10:00:00Z'), action: 'auth.login', outcome: 'denied', actor: 'carol', address: '10.7.7.7', status: 401, reason: 'bad-password', service: 'auth' },
    { time: at('2026-12-24T09:00:00Z'), action: 'auth.login', outcome: 'success', actor: 'carol', address: '10.7.7.7', status: 200, service: 'auth' },
    // Denials: bob's revoked token twice (401), then a 403.
    { time: at('2026-12-24T11:00:00Z'), action: 'auth.denied', outcome: 'denied', actor: 'anonymous', address: '10.2.2.2', status: 401, reason: 'revoked-token', service: 'index' },
    { time: at('2026-12-24T11:05:00Z'), action: 'auth.denied', outcome: 'denied', actor: 'anonymous', address: '10.2.2.2', status: 401, reason: 'revoked-token', service: 'index' },
    { time: at('2026-12-24T12:00:00Z'), action: 'auth.denied', outcome: 'denied', actor: 'bob', tokenId: 'tk_bob', address: '10.2.2.3', status: 403, reason: 'forbidden', service: 'upload', project: 'acme-web' },
    // An emergency token used once in the window, once before it.
    { time: at('2026-12-25T03:00:00Z'), action: 'token.use', outcome: 'success', actor: 'ops', tokenId: 'tk_emergency', address: '10.3.3.3', status: 200, service: 'upload', project: 'acme-web' },
    { time: at('2026-12-05T03:00:00Z'), action: 'token.use', outcome: 'success', actor: 'ops', tokenId: 'tk_old_emergency', address: '10.3.3.3', status: 200, service: 'upload' },
    // Downloads: steady CI (clean), a scraper far above its history, a bulk mirror at its usual rate
    // (clean), a new token with few downloads (clean), and a laptop token seen from a new address.
    ...downloads('tk_ci', 'ci-bot', '10.0.0.5', [10, 10, 10, 10], 12),
    ...downloads('tk_scraper', 'eve', '10.5.5.5', [2, 2, 2, 2], 60),
    ...downloads('tk_mirror', 'mirror', '10.0.0.8', [60, 60, 60, 60], 70),
    ...downloads('tk_brand_new', 'dan', '10.9.9.9', [], 20),
    ...downloads('tk_laptop', 'frank', '10.4.4.4', [1, 1, 1, 1], 0),
    { time: at('2026-12-27T22:00:00Z'), action: 'file.download', outcome: 'success', actor: 'frank', tokenId: 'tk_laptop', address: '203.0.113.9', status: 200, service: 'index', project: 'acme-web' },
  ];
}

/** Writes the facts as log rows (hashes are placeholders: the chain is not what is tested). */
export async function insertFacts(db: SqlExecutor, facts: readonly Fact[]): Promise<void> {
  const ordered = [...facts].sort((a, b) => a.time.getTime() - b.time.getTime());
  for (let start = 0; start < ordered.length; start += 100) {
    const values: unknown[] = [];
    const rows = ordered.slice(start, start + 100).map((fact, offset) => {
      const seq = start + offset + 1;
      values.push(seq, `fact-${seq}`, fact.time, fact.service ?? 'index', fact.action, fact.outcome, fact.actor, fact.tokenId ?? null, fact.address ?? null, fact.project ?? null, fact.filename ?? null, fact.status ?? null, fact.reason ?? null);
      const base = values.length - 13;
      return `(${Array.from({ length: 13 }, (_, i) => `$${base + i + 1}`).join(', ')}, repeat('0', 64), repeat('0', 64))`;
    });
    await db.query(
      `INSERT INTO audit_log (seq, fact_id, time, service, action, outcome, actor, token_id, client_address, project, filename, status, reason, prev_hash, hash) VALUES ${rows.join(', ')}`,
      values,
    );
  }
}
