/**
 * Identity events: what the auth service records per principal stream and publishes on
 * `quiver.identity.v1`. The upload and index services build their access projections from them.
 * Versioned contracts: a shape never changes once shipped; an older one stays readable and is
 * upcast on read (`upcastIdentityEvent`).
 */
import { decodeRecorded, isNumber, isString, type DataRules, type LaterVersionRules, type Recorded } from '@quiver/shared-contracts-packages';

export const IDENTITY_EVENTS_TOPIC = 'quiver.identity.v1';

/** A role on a package pattern (`acme-*`, `demo`, `*`), canonical form (see `parsePackagePattern`). The principal may be `group:<name>`. */
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

/** The first shape of a token: no kind, no lifetime, no restriction. Read as a personal token living 90 days from its issue. */
export interface TokenIssuedV1 {
  readonly type: 'TokenIssued';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly tokenId: string; readonly sha256: string; readonly description: string };
}

/**
 * A token that acts for `principal`, of a kind, until `expiresAt`, narrowed to what its
 * restrictions name (null: not narrowed). Only its sha256 is ever recorded; the secret is shown once.
 */
export interface TokenIssued {
  readonly type: 'TokenIssued';
  readonly schemaVersion: 2;
  readonly data: {
    readonly principal: string;
    readonly tokenId: string;
    readonly sha256: string;
    readonly description: string;
    readonly kind: string;
    readonly expiresAt: string;
    /** Canonical package patterns. */
    readonly packages: readonly string[] | null;
    /** Permissions (`package:install`, …, `admin:*`). */
    readonly permissions: readonly string[] | null;
    /** Requests it may authenticate in all. */
    readonly usesAllowed: number | null;
    /** Client address ranges (CIDR) it may be used from. */
    readonly cidrs: readonly string[] | null;
    /** Why it was issued (required for an emergency token). */
    readonly reason: string | null;
  };
}

export interface TokenRevoked {
  readonly type: 'TokenRevoked';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly tokenId: string };
}

/** A token's new secret; the previous one keeps working until `previousValidUntil`, then never again. */
export interface TokenRotated {
  readonly type: 'TokenRotated';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly tokenId: string; readonly sha256: string; readonly previousSha256: string; readonly previousValidUntil: string };
}

/**
 * A directory (LDAP) user signed in for the first time and became a principal: `principal` is the
 * name Quiver knows them by from now on, `directoryId` the directory's immutable id (entryUUID),
 * so a rename in the directory does not make a second principal.
 */
export interface PrincipalFederated {
  readonly type: 'PrincipalFederated';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly directoryId: string; readonly username: string };
}

/** A directory user's groups (lower case, nested ones included) as the directory said, whenever they changed; also: the user is in the directory. */
export interface DirectoryGroupsObserved {
  readonly type: 'DirectoryGroupsObserved';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string; readonly username: string; readonly groups: readonly string[] };
}

/** The directory no longer has the user (deleted, or outside the user filter): every token and password of theirs stops working. */
export interface PrincipalLeftDirectory {
  readonly type: 'PrincipalLeftDirectory';
  readonly schemaVersion: 1;
  readonly data: { readonly principal: string };
}

/** Every directory user's groups were read again at `checkedAt`: how fresh what the services know of memberships is. */
export interface DirectoryChecked {
  readonly type: 'DirectoryChecked';
  readonly schemaVersion: 1;
  readonly data: { readonly checkedAt: string; readonly users: number };
}

export type IdentityEvent =
  | RoleGranted
  | RoleRevoked
  | TokenIssued
  | TokenRevoked
  | TokenRotated
  | PrincipalFederated
  | DirectoryGroupsObserved
  | PrincipalLeftDirectory
  | DirectoryChecked;
/** Every shape ever shipped, as stored rows and older messages carry them. */
export type StoredIdentityEvent = IdentityEvent | TokenIssuedV1;
export type RecordedIdentityEvent<E extends IdentityEvent = IdentityEvent> = Recorded<E>;

export const principalStreamId = (principal: string): string => `principal-${principal}`;
/** The stream of `DirectoryChecked` events. */
export const DIRECTORY_STREAM_ID = 'directory';

/** How long a token issued before tokens had lifetimes lives: a personal token's longest life. */
export const V1_TOKEN_LIFE_MS = 90 * 86_400_000;

/** The current shape of any stored identity event (`recordedAt` dates a first-shape token's expiry). */
export function upcastIdentityEvent(event: Recorded<StoredIdentityEvent>): RecordedIdentityEvent {
  if (event.type !== 'TokenIssued' || event.schemaVersion === 2) {
    return event;
  }
  const current: Recorded<TokenIssued> = {
    ...event,
    schemaVersion: 2,
    data: {
      ...event.data,
      kind: 'personal',
      expiresAt: new Date(Date.parse(event.recordedAt) + V1_TOKEN_LIFE_MS).toISOString(),
      packages: null,
      permissions: null,
      usesAllowed: null,
      cidrs: null,
      reason: null,
    },
  };
  return current;
}

const isSha256 = (value: unknown): boolean => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const isIsoTime = (value: unknown): boolean => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isStringList = (value: unknown): boolean => Array.isArray(value) && value.every(isString);
const orNull =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === null || check(value);

const REQUIRED_DATA: DataRules<StoredIdentityEvent> = {
  RoleGranted: { principal: isString, role: isString, pattern: isString },
  RoleRevoked: { principal: isString, role: isString, pattern: isString },
  TokenIssued: { principal: isString, tokenId: isString, sha256: isSha256, description: isString },
  TokenRevoked: { principal: isString, tokenId: isString },
  TokenRotated: { principal: isString, tokenId: isString, sha256: isSha256, previousSha256: isSha256, previousValidUntil: isIsoTime },
  PrincipalFederated: { principal: isString, directoryId: isString, username: isString },
  DirectoryGroupsObserved: { principal: isString, username: isString, groups: isStringList },
  PrincipalLeftDirectory: { principal: isString },
  DirectoryChecked: { checkedAt: isIsoTime, users: isNumber },
};

const LATER_VERSIONS: LaterVersionRules = {
  TokenIssued: {
    2: {
      ...REQUIRED_DATA.TokenIssued,
      kind: isString,
      expiresAt: isIsoTime,
      packages: orNull(isStringList),
      permissions: orNull(isStringList),
      usesAllowed: orNull(isNumber),
      cidrs: orNull(isStringList),
      reason: orNull(isString),
    },
  },
};

/** Parses a message into the current shape of an identity event, or throws `InvalidEventError`. */
export const decodeIdentityEvent = (text: string): RecordedIdentityEvent => upcastIdentityEvent(decodeRecorded<StoredIdentityEvent>(text, REQUIRED_DATA, LATER_VERSIONS));
