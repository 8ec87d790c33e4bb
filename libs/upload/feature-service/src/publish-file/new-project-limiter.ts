import { randomUUID } from 'node:crypto';
import type { Database } from '@quiver/shared-ports';

/**
 * At most `perHour` new projects per principal in any rolling hour (BAD-INPUT 44), shared by every
 * replica through the upload schema. `reserve` tests and takes a slot in one transaction under a
 * per-principal advisory lock, so concurrent uploads cannot all slip under the limit; it runs
 * before anything is stored. A reservation whose project then is not created is released.
 */
export class NewProjectLimiter {
  constructor(
    private readonly database: Database,
    private readonly perHour: number,
  ) {}

  get enabled(): boolean {
    return this.perHour > 0;
  }

  /** A reservation id, or `undefined` when the principal already created `perHour` projects in the last hour. */
  reserve(principal: string, project: string): Promise<string | undefined> {
    return this.database.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`quiver:new-project:${principal}`]);
      await tx.query("DELETE FROM new_project_reservations WHERE principal = $1 AND reserved_at < clock_timestamp() - interval '1 hour'", [principal]);
      const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM new_project_reservations WHERE principal = $1', [principal]);
      if ((rows[0]?.n ?? 0) >= this.perHour) {
        return undefined;
      }
      const id = randomUUID();
      await tx.query('INSERT INTO new_project_reservations (id, principal, project) VALUES ($1, $2, $3)', [id, principal, project]);
      return id;
    });
  }

  async release(id: string): Promise<void> {
    await this.database.query('DELETE FROM new_project_reservations WHERE id = $1', [id]);
  }
}
