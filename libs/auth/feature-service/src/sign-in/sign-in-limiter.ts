import { randomUUID } from 'node:crypto';
import type { Database } from '@quiver/shared-ports';

export interface SignInLimits {
  /** Failed password checks one username may have in a window (BAD-INPUT 62: 10). */
  readonly perUser: number;
  /** … one client address may have. */
  readonly perAddress: number;
  /** … all of them together: a ceiling on binds against the directory. */
  readonly global: number;
  readonly windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perUser: 10, perAddress: 10, global: 1000, windowMs: 5 * 60_000 };

export type Attempt = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly retryAfterSeconds: number };

/**
 * Limits password checks (sign-in and password reads) per username, per client address and in
 * all, across every auth replica through the auth schema. An attempt takes its place before the
 * directory is asked, under one advisory lock, so racing attempts cannot all slip under a limit;
 * a successful one gives its place back. Over a limit nothing is sent to the directory, so Quiver
 * never locks a company account out.
 */
export class SignInLimiter {
  constructor(
    private readonly database: Database,
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {}

  attempt(username: string, address: string): Promise<Attempt> {
    const user = username.trim().toLowerCase();
    return this.database.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('quiver:sign-in', 0))");
      await tx.query('DELETE FROM auth_sign_in_attempts WHERE at < clock_timestamp() - $1::int * interval \'1 millisecond\'', [this.limits.windowMs]);
      const { rows } = await tx.query<{ users: number; addresses: number; total: number; user_oldest: Date | null; address_oldest: Date | null; oldest: Date | null }>(
        `SELECT count(*) FILTER (WHERE username = $1)::int AS users, count(*) FILTER (WHERE address = $2)::int AS addresses, count(*)::int AS total,
                min(at) FILTER (WHERE username = $1) AS user_oldest, min(at) FILTER (WHERE address = $2) AS address_oldest, min(at) AS oldest
           FROM auth_sign_in_attempts`,
        [user, address],
      );
      const counts = rows[0];
      const over = [
        counts && counts.users >= this.limits.perUser ? counts.user_oldest : undefined,
        counts && counts.addresses >= this.limits.perAddress ? counts.address_oldest : undefined,
        counts && counts.total >= this.limits.global ? counts.oldest : undefined,
      ].filter((oldest): oldest is Date => oldest instanceof Date);
      if (over.length > 0) {
        const freeAt = Math.max(...over.map((oldest) => oldest.getTime())) + this.limits.windowMs;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - Date.now()) / 1000)) };
      }
      const id = randomUUID();
      await tx.query('INSERT INTO auth_sign_in_attempts (id, username, address) VALUES ($1, $2, $3)', [id, user, address]);
      return { ok: true, id };
    });
  }

  /** The attempt succeeded: it does not count against anyone. */
  async succeeded(id: string): Promise<void> {
    await this.database.query('DELETE FROM auth_sign_in_attempts WHERE id = $1', [id]);
  }
}
