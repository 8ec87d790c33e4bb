import { timingSafeEqual } from 'node:crypto';
import { BOOTSTRAP_ADMIN, isRole, type Caller, type Grant } from '@quiver/shared-domain-access';
import type { SqlExecutor } from '@quiver/shared-ports';
import { hashApiToken, isWellFormedToken } from '@quiver/shared-util-tokens';

export interface AccessControlOptions {
  /** sha256 (hex) of the bootstrap administrator's token; absent: only issued tokens are accepted. */
  readonly bootstrapAdminSha256?: string;
  /**
   * How long a verified token's principal and grants are reused without a database read. A revoked
   * token or grant stops working on another replica within this time; on the replica that applied the
   * change, at once.
   */
  readonly cacheTtlMs: number;
  readonly maxCachedTokens?: number;
  /**
   * True when other processes apply identity events to the same projection (replicas sharing a
   * consumer group): a cached verification is then reused only while the projection's version is
   * unchanged, read once per event-loop turn for all requests in it. False when this process applies
   * every change itself (embedded mode, the auth service) and calls `invalidate()`.
   */
  readonly sharedProjection?: boolean;
  readonly now?: () => number;
}

/**
 * Who is calling: the bootstrap administrator, or the principal an issued token acts for, with the
 * grants it holds now (from the access projection). Only successes are cached, so garbage tokens
 * cannot fill the cache or keep a database busy beyond one indexed lookup each.
 */
export class AccessControl {
  private readonly admin: Buffer | undefined;
  private readonly verified = new Map<string, { readonly caller: Caller; readonly until: number }>();
  private readonly now: () => number;
  /** The projection version the cached verifications were made at (shared projections only). */
  private cachedAt: string | undefined;
  /** This event-loop turn's read of the version, shared by every request in the turn. */
  private versionRead: Promise<string> | undefined;

  constructor(
    private readonly db: SqlExecutor,
    private readonly options: AccessControlOptions,
  ) {
    this.admin = options.bootstrapAdminSha256 ? Buffer.from(options.bootstrapAdminSha256, 'hex') : undefined;
    this.now = options.now ?? Date.now;
  }

  /** Resolves the caller a presented token acts for, or undefined for a malformed, unknown or revoked token. */
  async authenticate(token: string): Promise<Caller | undefined> {
    if (this.options.sharedProjection) {
      const version = await this.currentVersion();
      if (version !== this.cachedAt) {
        this.verified.clear();
        this.cachedAt = version;
      }
    }
    const hit = this.verified.get(token);
    if (hit && hit.until > this.now()) {
      return hit.caller;
    }
    this.verified.delete(token);
    if (!isWellFormedToken(token)) {
      return undefined;
    }
    const sha256 = hashApiToken(token);
    const presented = Buffer.from(sha256, 'hex');
    const caller = this.admin && this.admin.length === presented.length && timingSafeEqual(this.admin, presented) ? BOOTSTRAP_ADMIN : await this.lookup(sha256);
    if (caller && this.options.cacheTtlMs > 0) {
      if (this.verified.size >= (this.options.maxCachedTokens ?? 10_000)) {
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(token, { caller, until: this.now() + this.options.cacheTtlMs });
    }
    return caller;
  }

  /** Forgets every cached verification: called when this process applied an identity change. */
  invalidate(): void {
    this.verified.clear();
  }

  private currentVersion(): Promise<string> {
    if (!this.versionRead) {
      this.versionRead = this.db.query<{ version: string }>('SELECT version::text AS version FROM access_version WHERE id = 1').then(
        (result) => result.rows[0]?.version ?? '0',
      );
      setImmediate(() => (this.versionRead = undefined)); // the next turn reads again
    }
    return this.versionRead;
  }

  private async lookup(sha256: string): Promise<Caller | undefined> {
    const { rows } = await this.db.query<{ principal: string; role: string | null; pattern: string | null }>(
      `SELECT t.principal, g.role, g.pattern FROM access_tokens t LEFT JOIN access_grants g ON g.principal = t.principal
        WHERE t.sha256 = $1 AND t.revoked_at IS NULL`,
      [sha256],
    );
    const first = rows[0];
    if (!first) {
      return undefined;
    }
    const grants: Grant[] = rows.flatMap((row) => (row.role !== null && row.pattern !== null && isRole(row.role) ? [{ role: row.role, pattern: row.pattern }] : []));
    return { name: first.principal, grants };
  }
}
