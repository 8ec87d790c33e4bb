/**
 * Identity events: what the auth service records per principal stream and publishes on
 * `quiver.identity.v1`. The upload and index services build their access projections from them.
 * Versioned contracts: a shape never changes once shipped.
 */
import { decodeRecorded, isString, type DataRules, type Recorded } from '@quiver/shared-contracts-packages';

export const IDENTITY_EVENTS_TOPIC = 'quiver.identity.v1';

/** A role on a package pattern (`acme-*`, `demo`, `*`), canonical form (see `parsePackagePattern`). */
export interface RoleGranted {
  readonly type: 'RoleGranted';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly role: string; readonly pattern: string };
}

export interface RoleRevoked {
  readonly type: 'RoleRevoked';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly role: string; readonly pattern: string };
}

/** A token that acts for `principal`. Only its sha256 is ever recorded; the secret is shown once. */
export interface TokenIssued {
  readonly type: 'TokenIssued';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly tokenId: string; readonly sha256: string; readonly description: string };
}

export interface TokenRevoked {
  readonly type: 'TokenRevoked';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly tokenId: string };
}

export type IdentityEvent = RoleGranted | RoleRevoked | TokenIssued | TokenRevoked;
export type RecordedIdentityEvent<E extends IdentityEvent = IdentityEvent> = Recorded<E>;

export const principalStreamId = (principal: string): string => `principal-${principal}`;

const isSha256 = (value: unknown): boolean => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

const REQUIRED_DATA: DataRules<IdentityEvent> = {
  RoleGranted: { principal: isString, role: isString, pattern: isString },
  RoleRevoked: { principal: isString, role: isString, pattern: isString },
  TokenIssued: { principal: isString, tokenId: isString, sha256: isSha256, description: isString },
  TokenRevoked: { principal: isString, tokenId: isString },
};

export const decodeIdentityEvent = (text: string): RecordedIdentityEvent => decodeRecorded<IdentityEvent>(text, REQUIRED_DATA);
