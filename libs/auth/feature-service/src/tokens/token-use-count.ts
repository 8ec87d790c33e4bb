import type { TokenUseCounter } from '@quiver/shared-feature-access';
import type { SqlExecutor } from '@quiver/shared-ports';

/**
 * The one count of a limited token's uses, in the auth service's database: taking a use is a
 * single statement that only succeeds while uses are left, so racing requests on any number of
 * replicas get exactly the allowed number through.
 */
export class DatabaseTokenUseCounter implements TokenUseCounter {
  constructor(private readonly db: SqlExecutor) {}

  async take(tokenId: string, usesAllowed: number): Promise<boolean> {
    const { rows } = await this.db.query<{ used: number }>(
      `INSERT INTO auth_token_uses (token_id, used) SELECT $1, 1 WHERE $2 >= 1
       ON CONFLICT (token_id) DO UPDATE SET used = auth_token_uses.used + 1 WHERE auth_token_uses.used < $2
       RETURNING used`,
      [tokenId, usesAllowed],
    );
    return rows.length === 1;
  }
}
