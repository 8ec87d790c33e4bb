/**
 * A principal's identity stream (grants and tokens), as a decider: `decide(command, state)` gives
 * the events to record or a refusal; `evolve` folds events into state. Pure: ids, hashes and time
 * come in with the command.
 */
import type { IdentityEvent, RecordedIdentityEvent } from '@quiver/shared-contracts-identity';
import { checkPrincipalName, isRole, parsePackagePattern } from '@quiver/shared-domain-access';

export interface PrincipalState {
  /** `role pattern` pairs held now. */
  readonly grants: ReadonlySet<string>;
  readonly tokens: ReadonlyMap<string, { readonly revoked: boolean }>;
}

export const EMPTY_PRINCIPAL: PrincipalState = { grants: new Set(), tokens: new Map() };

export type IdentityCommand =
  | { readonly type: 'GrantRole'; readonly principal: string; readonly role: string; readonly pattern: string }
  | { readonly type: 'RevokeRole'; readonly principal: string; readonly role: string; readonly pattern: string }
  | { readonly type: 'IssueToken'; readonly principal: string; readonly tokenId: string; readonly sha256: string; readonly description: string }
  | { readonly type: 'RevokeToken'; readonly principal: string; readonly tokenId: string };

export type IdentityDecision =
  | { readonly ok: true; readonly events: readonly IdentityEvent[] }
  | { readonly ok: false; readonly code: 'invalid' | 'not-found'; readonly message: string };

const MAX_DESCRIPTION = 200;
const isControl = (char: string): boolean => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f;
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
      return { ...state, tokens: new Map(state.tokens).set(event.data.tokenId, { revoked: false }) };
    case 'TokenRevoked':
      return { ...state, tokens: new Map(state.tokens).set(event.data.tokenId, { revoked: true }) };
  }
}

export const foldPrincipal = (events: readonly RecordedIdentityEvent[]): PrincipalState => events.reduce(evolve, EMPTY_PRINCIPAL);

const invalid = (message: string): IdentityDecision => ({ ok: false, code: 'invalid', message });

/** Checks a role and pattern as an administrator typed them; the pattern comes back canonical. */
function roleOn(role: string, pattern: string): { ok: true; role: string; pattern: string } | { ok: false; decision: IdentityDecision } {
  if (!isRole(role)) {
    return { ok: false, decision: invalid(`'${role.slice(0, 40)}' is not a role: use admin, developer, ci or reader.`) };
  }
  const parsed = parsePackagePattern(pattern);
  return parsed.ok ? { ok: true, role, pattern: parsed.pattern } : { ok: false, decision: invalid(parsed.message) };
}

export function decide(command: IdentityCommand, state: PrincipalState): IdentityDecision {
  const nameProblem = checkPrincipalName(command.principal);
  if (nameProblem) {
    return invalid(nameProblem);
  }
  const principal = command.principal;
  switch (command.type) {
    case 'GrantRole': {
      const checked = roleOn(command.role, command.pattern);
      if (!checked.ok) {
        return checked.decision;
      }
      const { role, pattern } = checked;
      return { ok: true, events: state.grants.has(grantKey(role, pattern)) ? [] : [{ type: 'RoleGranted', schemaVersion: 1, data: { principal, role, pattern } }] };
    }
    case 'RevokeRole': {
      const checked = roleOn(command.role, command.pattern);
      if (!checked.ok) {
        return checked.decision;
      }
      const { role, pattern } = checked;
      if (!state.grants.has(grantKey(role, pattern))) {
        return { ok: false, code: 'not-found', message: `'${principal}' has no ${role} grant on '${pattern}'.` };
      }
      return { ok: true, events: [{ type: 'RoleRevoked', schemaVersion: 1, data: { principal, role, pattern } }] };
    }
    case 'IssueToken': {
      const description = command.description.trim();
      if (description.length > MAX_DESCRIPTION || [...description].some(isControl)) {
        return invalid(`The description must be at most ${MAX_DESCRIPTION} characters on one line.`);
      }
      return { ok: true, events: [{ type: 'TokenIssued', schemaVersion: 1, data: { principal, tokenId: command.tokenId, sha256: command.sha256, description } }] };
    }
    case 'RevokeToken': {
      const token = state.tokens.get(command.tokenId);
      if (!token) {
        return { ok: false, code: 'not-found', message: `No token '${command.tokenId.slice(0, 40)}'.` };
      }
      return { ok: true, events: token.revoked ? [] : [{ type: 'TokenRevoked', schemaVersion: 1, data: { principal, tokenId: command.tokenId } }] };
    }
  }
}
