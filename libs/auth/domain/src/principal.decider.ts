/**
 * A principal's identity stream (grants and tokens), as a decider: `decide(command, state)` gives
 * the events to record or a refusal; `evolve` folds events into state. Pure: ids, hashes and time
 * come in with the command.
 */
import type { IdentityEvent, RecordedIdentityEvent } from '@quiver/shared-contracts-identity';
import { checkPrincipalName, isGroupPrincipal, isRole, parsePackagePattern } from '@quiver/shared-domain-access';
import { checkTokenRequest, type TokenRequest } from './token-request.js';

export interface TokenState {
  readonly revoked: boolean;
  readonly sha256: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** A principal that is a directory user: who the directory says it is, and its groups when last read. */
export interface Federation {
  readonly directoryId: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** False once the directory no longer has the user. */
  readonly present: boolean;
}

export interface PrincipalState {
  /** `role pattern` pairs held now. */
  readonly grants: ReadonlySet<string>;
  readonly tokens: ReadonlyMap<string, TokenState>;
  readonly federation?: Federation;
}

export const EMPTY_PRINCIPAL: PrincipalState = { grants: new Set(), tokens: new Map() };

export type IdentityCommand =
  | { readonly type: 'GrantRole'; readonly principal: string; readonly role: string; readonly pattern: string }
  | { readonly type: 'RevokeRole'; readonly principal: string; readonly role: string; readonly pattern: string }
  | { readonly type: 'IssueToken'; readonly principal: string; readonly tokenId: string; readonly sha256: string; readonly request: TokenRequest; readonly now: Date }
  | { readonly type: 'RevokeToken'; readonly principal: string; readonly tokenId: string }
  | { readonly type: 'RotateToken'; readonly principal: string; readonly tokenId: string; readonly sha256: string; readonly graceSeconds: number; readonly now: Date }
  /** A directory user signed in, or was read again: become (or stay) its principal with these groups. */
  | { readonly type: 'ObserveDirectoryUser'; readonly principal: string; readonly directoryId: string; readonly username: string; readonly groups: readonly string[] }
  /** The directory no longer has the user. */
  | { readonly type: 'LeaveDirectory'; readonly principal: string };

export type IdentityDecision =
  | { readonly ok: true; readonly events: readonly IdentityEvent[] }
  | { readonly ok: false; readonly code: 'invalid' | 'not-found'; readonly message: string };

/** A rotated-out secret works at most this long after the rotation. */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 86_400;

const grantKey = (role: string, pattern: string): string => `${role} ${pattern}`;

export function evolve(state: PrincipalState, event: IdentityEvent): PrincipalState {
  switch (event.type) {
    case 'RoleGranted':
      return { ...state, grants: new Set(state.grants).add(grantKey(event.data.role, event.data.pattern)) };
    case 'RoleRevoked': {
      const grants = new Set(state.grants);
      grants.delete(grantKey(event.data.role, event.data.pattern));
      return { ...state, grants };
    }
    case 'TokenIssued':
      return { ...state, tokens: new Map(state.tokens).set(event.data.tokenId, { revoked: false, sha256: event.data.sha256, expiresAt: Date.parse(event.data.expiresAt) }) };
    case 'PrincipalFederated':
      return { ...state, federation: { directoryId: event.data.directoryId, username: event.data.username, groups: [], present: true } };
    case 'DirectoryGroupsObserved':
      return state.federation ? { ...state, federation: { ...state.federation, username: event.data.username, groups: event.data.groups, present: true } } : state;
    case 'PrincipalLeftDirectory':
      return state.federation ? { ...state, federation: { ...state.federation, present: false } } : state;
    case 'DirectoryChecked':
      return state;
    case 'TokenRevoked':
    case 'TokenRotated': {
      const token = state.tokens.get(event.data.tokenId);
      if (!token) {
        return state;
      }
      const changed = event.type === 'TokenRevoked' ? { ...token, revoked: true } : { ...token, sha256: event.data.sha256 };
      return { ...state, tokens: new Map(state.tokens).set(event.data.tokenId, changed) };
    }
  }
}

export const foldPrincipal = (events: readonly RecordedIdentityEvent[]): PrincipalState => events.reduce(evolve, EMPTY_PRINCIPAL);

const invalid = (message: string): IdentityDecision => ({ ok: false, code: 'invalid', message });
const notFound = (message: string): IdentityDecision => ({ ok: false, code: 'not-found', message });

/** Checks a role and pattern as an administrator typed them; the pattern comes back canonical. */
function roleOn(role: string, pattern: string): { ok: true; role: string; pattern: string } | { ok: false; decision: IdentityDecision } {
  if (!isRole(role)) {
    return { ok: false, decision: invalid(`'${role.slice(0, 40)}' is not a role: use admin, developer, ci or reader.`) };
  }
  const parsed = parsePackagePattern(pattern);
  return parsed.ok ? { ok: true, role, pattern: parsed.pattern } : { ok: false, decision: invalid(parsed.message) };
}

function decideGrant(command: Extract<IdentityCommand, { type: 'GrantRole' | 'RevokeRole' }>, state: PrincipalState): IdentityDecision {
  const checked = roleOn(command.role, command.pattern);
  if (!checked.ok) {
    return checked.decision;
  }
  const { role, pattern } = checked;
  const data = { principal: command.principal, role, pattern };
  if (command.type === 'GrantRole') {
    return { ok: true, events: state.grants.has(grantKey(role, pattern)) ? [] : [{ type: 'RoleGranted', schemaVersion: 1, data }] };
  }
  if (!state.grants.has(grantKey(role, pattern))) {
    return notFound(`'${command.principal}' has no ${role} grant on '${pattern}'.`);
  }
  return { ok: true, events: [{ type: 'RoleRevoked', schemaVersion: 1, data }] };
}

function decideIssue(command: Extract<IdentityCommand, { type: 'IssueToken' }>): IdentityDecision {
  if (isGroupPrincipal(command.principal)) {
    return invalid(`'${command.principal}' is a group: groups hold grants, and a token acts for one user or service account.`);
  }
  const checked = checkTokenRequest(command.request, command.now);
  if (!checked.ok) {
    return invalid(checked.message);
  }
  return { ok: true, events: [{ type: 'TokenIssued', schemaVersion: 2, data: { principal: command.principal, tokenId: command.tokenId, sha256: command.sha256, ...checked.token } }] };
}

function decideRotate(command: Extract<IdentityCommand, { type: 'RotateToken' }>, state: PrincipalState): IdentityDecision {
  const token = state.tokens.get(command.tokenId);
  if (!token) {
    return notFound(`No token '${command.tokenId.slice(0, 40)}'.`);
  }
  if (token.revoked || token.expiresAt <= command.now.getTime()) {
    return invalid(`Token '${command.tokenId}' is ${token.revoked ? 'revoked' : 'expired'}: issue a new one instead of rotating it.`);
  }
  if (!Number.isInteger(command.graceSeconds) || command.graceSeconds < 0 || command.graceSeconds > MAX_ROTATION_GRACE_SECONDS) {
    return invalid(`The grace of a rotated-out secret is at most ${MAX_ROTATION_GRACE_SECONDS / 86_400} days.`);
  }
  const previousValidUntil = new Date(Math.min(command.now.getTime() + command.graceSeconds * 1000, token.expiresAt)).toISOString();
  return {
    ok: true,
    events: [{ type: 'TokenRotated', schemaVersion: 1, data: { principal: command.principal, tokenId: command.tokenId, sha256: command.sha256, previousSha256: token.sha256, previousValidUntil } }],
  };
}

const sameGroups = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((group, index) => group === b[index]);

function decideObserve(command: Extract<IdentityCommand, { type: 'ObserveDirectoryUser' }>, state: PrincipalState): IdentityDecision {
  const groups = [...new Set(command.groups.map((group) => group.trim().toLowerCase()))].sort();
  const { principal, directoryId, username } = command;
  if (isGroupPrincipal(principal)) {
    return invalid(`'${principal}' is a group, not a directory user.`);
  }
  const federation = state.federation;
  if (!federation && (state.grants.size > 0 || state.tokens.size > 0)) {
    return invalid(`The name '${principal}' belongs to a principal that is not a directory user; an administrator must rename one of them.`);
  }
  if (federation && federation.directoryId !== directoryId) {
    return invalid(`The name '${principal}' belongs to another directory user; an administrator must sort out the two accounts.`);
  }
  const events: IdentityEvent[] = federation ? [] : [{ type: 'PrincipalFederated', schemaVersion: 1, data: { principal, directoryId, username } }];
  if (!federation || !federation.present || federation.username !== username || !sameGroups(federation.groups, groups)) {
    events.push({ type: 'DirectoryGroupsObserved', schemaVersion: 1, data: { principal, username, groups } });
  }
  return { ok: true, events };
}

export function decide(command: IdentityCommand, state: PrincipalState): IdentityDecision {
  const nameProblem = checkPrincipalName(command.principal);
  if (nameProblem) {
    return invalid(nameProblem);
  }
  switch (command.type) {
    case 'GrantRole':
    case 'RevokeRole':
      return decideGrant(command, state);
    case 'IssueToken':
      return decideIssue(command);
    case 'RotateToken':
      return decideRotate(command, state);
    case 'ObserveDirectoryUser':
      return decideObserve(command, state);
    case 'LeaveDirectory':
      return { ok: true, events: state.federation?.present ? [{ type: 'PrincipalLeftDirectory', schemaVersion: 1, data: { principal: command.principal } }] : [] };
    case 'RevokeToken': {
      const token = state.tokens.get(command.tokenId);
      if (!token) {
        return notFound(`No token '${command.tokenId.slice(0, 40)}'.`);
      }
      return { ok: true, events: token.revoked ? [] : [{ type: 'TokenRevoked', schemaVersion: 1, data: { principal: command.principal, tokenId: command.tokenId } }] };
    }
  }
}
