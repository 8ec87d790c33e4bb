import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Quiver API tokens: `qvr_` + 43 base62 characters (256 random bits) + 6 check characters, so
 * secret scanners can recognise them and typos are caught before any lookup. Stored only as
 * sha256 hashes.
 */
export const TOKEN_PREFIX = 'qvr_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;
export const TOKEN_PATTERN = /^qvr_[0-9A-Za-z]{49}$/;

function base62(bytes: Uint8Array, length: number): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

const checksum = (body: string): string => base62(createHash('sha256').update(body).digest().subarray(0, 5), CHECK_LENGTH);

export function generateApiToken(): string {
  const body = base62(randomBytes(32), BODY_LENGTH);
  return `${TOKEN_PREFIX}${body}${checksum(body)}`;
}

/** True when `token` has Quiver's shape and a valid check suffix (no secret comparison involved). */
export function isWellFormedToken(token: string): boolean {
  if (!TOKEN_PATTERN.test(token)) {
    return false;
  }
  const body = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + BODY_LENGTH);
  return token.slice(TOKEN_PREFIX.length + BODY_LENGTH) === checksum(body);
}

export const hashApiToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A verifier for a fixed set of token hashes (the bootstrap administrator until identity lands). */
export function tokenVerifier(principals: ReadonlyMap<string, string>): (token: string) => Promise<string | undefined> {
  const entries = [...principals.entries()].map(([hash, principal]) => [Buffer.from(hash, 'hex'), principal] as const);
  return (token) => {
    if (!isWellFormedToken(token)) {
      return Promise.resolve(undefined);
    }
    const presented = Buffer.from(hashApiToken(token), 'hex');
    const match = entries.find(([hash]) => hash.length === presented.length && timingSafeEqual(hash, presented));
    return Promise.resolve(match?.[1]);
  };
}

/**
 * Remembers successful verifications for `ttlMs`, so a busy index does not hash the same token on
 * every request. Only successes are kept (garbage tokens cannot fill it), at most `maxEntries`; a
 * revoked token keeps working for at most `ttlMs` on a replica that verified it just before.
 */
export function cachedVerifier(
  verify: (token: string) => Promise<string | undefined>,
  { ttlMs, maxEntries = 10_000, now = Date.now }: { ttlMs: number; maxEntries?: number; now?: () => number },
): (token: string) => Promise<string | undefined> {
  const verified = new Map<string, { readonly principal: string; readonly until: number }>();
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.until > now()) {
      return hit.principal;
    }
    verified.delete(token);
    const principal = await verify(token);
    if (principal !== undefined && ttlMs > 0) {
      if (verified.size >= maxEntries) {
        verified.delete(verified.keys().next().value as string);
      }
      verified.set(token, { principal, until: now() + ttlMs });
    }
    return principal;
  };
}
