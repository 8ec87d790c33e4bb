import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { addressInRanges, BOOTSTRAP_ADMIN, groupPrincipal, isRole, PERMISSIONS, type Caller, type Grant, type Permission } from '@quiver/shared-domain-access';
import type { SqlExecutor } from '@quiver/shared-ports';
import { hashApiToken, isWellFormedToken } from '@quiver/shared-util-tokens';
import type { PasswordCheck, PasswordChecker } from './password-check.js';

/** Why a presented token does not authenticate a request. */
export type TokenRefusal = 'unknown' | 'revoked' | 'expired' | 'rotated-out' | 'used-up' | 'address' | 'left-directory' | 'directory-unavailable';

export type Authentication =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly refusal: TokenRefusal; readonly tokenId?: string; readonly principal?: string };

export type PasswordAuthentication = { readonly ok: true; readonly caller: Caller } | Exclude<PasswordCheck, { ok: true }>;

/** Counts the uses of tokens issued with a limit, exactly, for every service and replica (the auth service's count). */
export interface TokenUseCounter {
  /** Takes one use of the token; false when none is left. `secret` lets a remote counter authenticate the request. */
  take(tokenId: string, usesAllowed: number, secret: string): Promise<boolean>;
}

/** Told of every request a token authenticated, to keep its last use (never awaited on the request path). */
export type TokenUseListener = (use: { readonly tokenId: string; readonly at: Date; readonly address: string; readonly principal: string; readonly kind?: string }) => void;

export interface AccessControlOptions {
  /** sha256 (hex) of the bootstrap administrator's token; absent: only issued tokens are accepted. */
  readonly bootstrapAdminSha256?: string;
  /**
   * How long a verified token's principal, grants and restrictions are reused without a database
   * read. A revoked token or grant stops working on another replica within this time; on the
   * replica that applied the change, at once. Expiry, address and use limits are checked on every
   * request whatever is cached.
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
  /** Required to accept tokens issued with a use limit; without it they are refused as used up. */
  readonly useCounter?: TokenUseCounter;
  readonly onUse?: TokenUseListener;
  /**
   * How long a directory user's last known groups are trusted when the directory has not been read
   * since (it does not answer): their tokens then stop with 503 until it is read again.
   */
  readonly directoryGraceMs?: number;
  /** Checks directory passwords (installs may sign requests with one); absent: passwords are never accepted. */
  readonly passwords?: PasswordChecker;
  /**
   * How long a verified password is reused without asking the directory, kept only as a salted
   * hash (QUIVER_LDAP_CACHE_SECONDS): a changed password or a removed user takes effect within it.
   */
  readonly passwordCacheMs?: number;
  readonly now?: () => number;
}

interface VerifiedPassword {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly caller: Caller;
  readonly until: number;
}

/** A directory check under way, which requests with the same username and password wait for. */
interface PasswordInFlight {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly result: Promise<PasswordAuthentication>;
}

/** A directory user's standing: who they are in the directory and until when what is known of them is trusted. */
interface DirectoryStanding {
  readonly groups: readonly string[];
  readonly left: boolean;
  readonly trustedUntil: number;
}

interface VerifiedToken {
  readonly caller: Caller;
  readonly tokenId: string;
  readonly expiresAt: number;
  /** Set when the presented secret is the token's rotated-out one. */
  readonly validUntil?: number;
  readonly usesAllowed: number | null;
  readonly cidrs: readonly string[] | null;
  /** For a directory user's token: when their groups stop being trusted without a new read of the directory. */
  readonly directoryTrustedUntil?: number;
  /** When this cache entry must be read again. */
  readonly until: number;
}

interface TokenRow {
  token_id: string;
  principal: string;
  kind: string;
  current: boolean;
  expires_at: Date;
  previous_valid_until: Date | null;
  revoked_at: Date | null;
  packages: string[] | null;
  permissions: string[] | null;
  uses_allowed: number | null;
  cidrs: string[] | null;
}

const isPermission = (value: string): value is Permission => (PERMISSIONS as readonly string[]).includes(value);

/**
 * Who is calling: the bootstrap administrator, or the principal an issued token acts for, with the
 * grants it holds now (from the access projection) narrowed by the token's scope. Verifications
 * are cached by the token's sha256, never by the secret, and only successes are cached, so garbage
 * tokens cannot fill the cache or keep a database busy beyond one indexed lookup each.
 */
export class AccessControl {
  private readonly admin: Buffer | undefined;
  private readonly verified = new Map<string, VerifiedToken>();
  /** Verified passwords by lower-case username: a salted HMAC under a key that never leaves this process. */
  private readonly passwords = new Map<string, VerifiedPassword>();
  /**
   * Directory checks under way by lower-case username (salted like the cache): concurrent requests
   * with the same password share one check, so a client reading in parallel is one sign-in attempt,
   * not one each (each takes a place under the failure limits while it runs: eleven at once were 429).
   */
  private readonly checking = new Map<string, PasswordInFlight[]>();
  private readonly pepper = randomBytes(32);
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

  /** The caller a presented token acts for, or why the token does not authenticate a request from `address`. */
  async authenticateToken(secret: string, address: string): Promise<Authentication> {
    if (!isWellFormedToken(secret)) {
      return { ok: false, refusal: 'unknown' };
    }
    const sha256 = hashApiToken(secret);
    const presented = Buffer.from(sha256, 'hex');
    if (this.admin && this.admin.length === presented.length && timingSafeEqual(this.admin, presented)) {
      return { ok: true, caller: BOOTSTRAP_ADMIN };
    }
    const found = await this.verify(sha256);
    if ('ok' in found) {
      return found;
    }
    const at = this.now();
    const refused = (refusal: TokenRefusal): Authentication => ({ ok: false, refusal, tokenId: found.tokenId, principal: found.caller.name });
    if (at >= found.expiresAt) {
      return refused('expired');
    }
    if (found.validUntil !== undefined && at >= found.validUntil) {
      return refused('rotated-out');
    }
    if (found.directoryTrustedUntil !== undefined && at >= found.directoryTrustedUntil) {
      return refused('directory-unavailable');
    }
    if (found.cidrs && !addressInRanges(address, found.cidrs)) {
      return refused('address');
    }
    if (found.usesAllowed !== null && !(await this.options.useCounter?.take(found.tokenId, found.usesAllowed, secret))) {
      return refused('used-up');
    }
    this.options.onUse?.({ tokenId: found.tokenId, at: new Date(at), address, principal: found.caller.name, ...(found.caller.token ? { kind: found.caller.token.kind } : {}) });
    return { ok: true, caller: found.caller };
  }

  /**
   * Takes one use of a live token issued with a use limit, for another service that authenticated a
   * request with it (that service checked the client's address); false when none is left or the
   * token does not verify.
   */
  async takeUse(secret: string): Promise<boolean> {
    if (!isWellFormedToken(secret)) {
      return false;
    }
    const found = await this.verify(hashApiToken(secret));
    const at = this.now();
    if ('ok' in found || at >= found.expiresAt || (found.validUntil !== undefined && at >= found.validUntil) || found.usesAllowed === null) {
      return false;
    }
    return (await this.options.useCounter?.take(found.tokenId, found.usesAllowed, secret)) === true;
  }

  /** Resolves the caller a presented token acts for, or undefined for any token that does not authenticate. */
  async authenticate(secret: string, address = ''): Promise<Caller | undefined> {
    const result = await this.authenticateToken(secret, address);
    return result.ok ? result.caller : undefined;
  }

  /** Forgets every cached verification: called when this process applied an identity change. */
  invalidate(): void {
    this.verified.clear();
    this.passwords.clear();
  }

  /**
   * The directory user a username and password belong to, with the grants it and its groups hold,
   * or why not (wrong, limited, the directory down). A verified password is reused for the cache
   * window when the same password comes again; anything else asks the directory.
   */
  async authenticatePassword(username: string, password: string, address: string): Promise<PasswordAuthentication> {
    const checker = this.options.passwords;
    if (!checker) {
      return { ok: false, refusal: 'invalid' };
    }
    await this.dropStaleVerifications();
    const key = username.trim().toLowerCase();
    const hit = this.passwords.get(key);
    if (hit && hit.until > this.now() && timingSafeEqual(hit.hash, this.passwordHash(hit.salt, password))) {
      return { ok: true, caller: hit.caller };
    }
    const inFlight = this.checking.get(key) ?? [];
    const same = inFlight.find((check) => timingSafeEqual(check.hash, this.passwordHash(check.salt, password)));
    if (same) {
      return same.result;
    }
    const salt = randomBytes(16);
    const hash = this.passwordHash(salt, password);
    const check: PasswordInFlight = { salt, hash, result: this.checkPassword(checker, key, username, password, address, salt, hash) };
    this.checking.set(key, [...inFlight, check]);
    try {
      return await check.result;
    } finally {
      const left = (this.checking.get(key) ?? []).filter((other) => other !== check);
      if (left.length > 0) {
        this.checking.set(key, left);
      } else {
        this.checking.delete(key);
      }
    }
  }

  /** Asks the directory (through `checker`) and, on success, remembers the password's salted hash for the cache window. */
  private async checkPassword(checker: PasswordChecker, key: string, username: string, password: string, address: string, salt: Buffer, hash: Buffer): Promise<PasswordAuthentication> {
    const checked = await checker.check(username, password, address);
    if (!checked.ok) {
      return checked;
    }
    const caller: Caller = { name: checked.principal, grants: await this.grantsOf(checked.principal, checked.groups) };
    const ttl = this.options.passwordCacheMs ?? 0;
    if (ttl > 0) {
      if (this.passwords.size >= (this.options.maxCachedTokens ?? 10_000)) {
        this.passwords.delete(this.passwords.keys().next().value as string);
      }
      this.passwords.set(key, { salt, hash, caller, until: this.now() + ttl });
    }
    return { ok: true, caller };
  }

  private passwordHash(salt: Buffer, password: string): Buffer {
    return createHmac('sha256', this.pepper).update(salt).update(password).digest();
  }

  /** Shared projections: drop every cached verification once the projection moved (read once per event-loop turn). */
  private async dropStaleVerifications(): Promise<void> {
    if (!this.options.sharedProjection) {
      return;
    }
    const version = await this.currentVersion();
    if (version !== this.cachedAt) {
      this.verified.clear();
      this.passwords.clear();
      this.cachedAt = version;
    }
  }

  /** The token a sha256 belongs to, from the cache or the projection; a refusal for none, or a revoked one. */
  private async verify(sha256: string): Promise<VerifiedToken | Extract<Authentication, { ok: false }>> {
    await this.dropStaleVerifications();
    const hit = this.verified.get(sha256);
    if (hit && hit.until > this.now()) {
      return hit;
    }
    this.verified.delete(sha256);
    const row = await this.tokenRow(sha256);
    if (!row) {
      return { ok: false, refusal: 'unknown' };
    }
    if (row.revoked_at !== null) {
      return { ok: false, refusal: 'revoked', tokenId: row.token_id, principal: row.principal };
    }
    const standing = await this.directoryStanding(row.principal);
    if (standing?.left) {
      return { ok: false, refusal: 'left-directory', tokenId: row.token_id, principal: row.principal };
    }
    const permissions = row.permissions?.filter(isPermission);
    const token: VerifiedToken = {
      ...(standing ? { directoryTrustedUntil: standing.trustedUntil } : {}),
      caller: {
        name: row.principal,
        grants: await this.grantsOf(row.principal, standing?.groups ?? []),
        token: { id: row.token_id, kind: row.kind, ...(row.packages ? { packages: row.packages } : {}), ...(permissions ? { permissions } : {}) },
      },
      tokenId: row.token_id,
      expiresAt: row.expires_at.getTime(),
      ...(row.current ? {} : { validUntil: row.previous_valid_until?.getTime() ?? 0 }),
      usesAllowed: row.uses_allowed,
      cidrs: row.cidrs,
      until: this.now() + this.options.cacheTtlMs,
    };
    if (this.options.cacheTtlMs > 0) {
      if (this.verified.size >= (this.options.maxCachedTokens ?? 10_000)) {
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(sha256, token);
    }
    return token;
  }

  private async tokenRow(sha256: string): Promise<TokenRow | undefined> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT token_id, principal, kind, sha256 = $1 AS current, expires_at, previous_valid_until, revoked_at, packages, permissions, uses_allowed, cidrs
         FROM access_tokens WHERE sha256 = $1 OR previous_sha256 = $1`,
      [sha256],
    );
    return rows[0];
  }

  /** The principal's own grants and those of its directory groups. */
  async grantsOf(principal: string, groups: readonly string[]): Promise<Grant[]> {
    const { rows } = await this.db.query<{ role: string; pattern: string }>('SELECT DISTINCT role, pattern FROM access_grants WHERE principal = $1 OR principal = ANY($2::text[])', [
      principal,
      groups.map(groupPrincipal),
    ]);
    return rows.flatMap((row) => (isRole(row.role) ? [{ role: row.role, pattern: row.pattern }] : []));
  }

  /** Undefined for a local principal; for a directory user, its groups, whether it left, and how long that is trusted. */
  private async directoryStanding(principal: string): Promise<DirectoryStanding | undefined> {
    const { rows } = await this.db.query<{ groups: string[]; left_at: Date | null; observed_at: Date | null; checked_at: Date | null }>(
      `SELECT u.groups, u.left_at, u.observed_at, d.checked_at FROM access_directory_users u CROSS JOIN access_directory d WHERE u.principal = $1`,
      [principal],
    );
    const row = rows[0];
    if (!row) {
      return undefined;
    }
    const lastRead = Math.max(row.observed_at?.getTime() ?? 0, row.checked_at?.getTime() ?? 0);
    return { groups: row.groups, left: row.left_at !== null, trustedUntil: lastRead + (this.options.directoryGraceMs ?? 3_600_000) };
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
}
