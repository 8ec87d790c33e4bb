import { createHash, randomBytes } from 'node:crypto';

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
