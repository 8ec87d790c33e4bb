import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reviewAccess, revocableTokens, type AccessReviewInput, type ReviewDirectoryUser, type ReviewGrant, type ReviewToken } from './access-review.js';

const START = Date.parse('2026-11-01T00:00:00Z');
const day = (n: number, hour = 9): Date => new Date(START + n * 86_400_000 + hour * 3_600_000);

/**
 * A scripted month: what happens on which day, applied in order to the state the auth service
 * keeps (grants, tokens with last use, directory users). The clock is the script's, never slept.
 */
type Step =
  | { readonly on: number; readonly do: 'grant'; readonly grant: ReviewGrant }
  | { readonly on: number; readonly do: 'issue'; readonly token: Omit<ReviewToken, 'issuedAt' | 'revokedAt' | 'lastUsedAt' | 'lastUsedFrom' | 'expiresAt'> & { readonly lifeDays: number } }
  | { readonly on: number; readonly do: 'use'; readonly tokenId: string; readonly from: string }
  | { readonly on: number; readonly do: 'revoke'; readonly tokenId: string }
  | { readonly on: number; readonly do: 'join'; readonly user: Omit<ReviewDirectoryUser, 'leftAt'> }
  | { readonly on: number; readonly do: 'leave'; readonly principal: string };

function play(script: readonly Step[], until: number): Omit<AccessReviewInput, 'unusedDays' | 'projects'> {
  const grants: ReviewGrant[] = [];
  const tokens = new Map<string, ReviewToken>();
  const users = new Map<string, ReviewDirectoryUser>();
  for (const step of [...script].sort((a, b) => a.on - b.on).filter((s) => s.on <= until)) {
    const at = day(step.on);
    switch (step.do) {
      case 'grant':
        grants.push(step.grant);
        break;
      case 'issue': {
        const { lifeDays, ...token } = step.token;
        tokens.set(token.id, { ...token, issuedAt: at, expiresAt: new Date(at.getTime() + lifeDays * 86_400_000), revokedAt: null, lastUsedAt: null, lastUsedFrom: null });
        break;
      }
      case 'use': {
        const token = tokens.get(step.tokenId);
        if (token) {tokens.set(step.tokenId, { ...token, lastUsedAt: at, lastUsedFrom: step.from });}
        break;
      }
      case 'revoke': {
        const token = tokens.get(step.tokenId);
        if (token) {tokens.set(step.tokenId, { ...token, revokedAt: at });}
        break;
      }
      case 'join':
        users.set(step.user.principal, { ...step.user, leftAt: null });
        break;
      case 'leave': {
        const user = users.get(step.principal);
        if (user) {users.set(step.principal, { ...user, leftAt: at });}
        break;
      }
    }
  }
  return { now: day(until, 12), grants, tokens: [...tokens.values()], directoryUsers: [...users.values()], directoryCheckedAt: day(until, 11) };
}

const daily = (tokenId: string, from: string, days: readonly number[]): Step[] => days.map((on) => ({ on, do: 'use', tokenId, from }));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const MONTH: readonly Step[] = [
  { on: 0, do: 'join', user: { principal: 'alice', username: 'alice', groups: ['dev'] } },
  { on: 0, do: 'join', user: { principal: 'bob', username: 'bob', groups: ['dev'] } },
  { on: 0, do: 'join', user: { principal: 'carol', username: 'carol', groups: ['ops'] } },
  { on: 0, do: 'grant', grant: { principal: 'group:dev', role: 'developer', pattern: 'acme-*' } },
  { on: 0, do: 'grant', grant: { principal: 'group:ops', role: 'admin', pattern: '*' } },
  { on: 0, do: 'grant', grant: { principal: 'ci-bot', role: 'ci', pattern: 'acme-*' } },
  { on: 0, do: 'grant', grant: { principal: 'ci-bot', role: 'reader', pattern: 'legacy-*' } },
  { on: 0, do: 'grant', grant: { principal: 'root-bot', role: 'admin', pattern: '*' } },
  // The clean case: used every day, long-lived.
  { on: 0, do: 'issue', token: { id: 'tk_busy', principal: 'ci-bot', kind: 'ci', description: 'CI', lifeDays: 365 } },
  ...daily('tk_busy', '10.0.0.5', range(1, 30)),
  // Never used since it was issued on day 1.
  { on: 1, do: 'issue', token: { id: 'tk_never', principal: 'alice', kind: 'personal', description: 'laptop', lifeDays: 90 } },
  // Used in the first week, then not again.
  { on: 1, do: 'issue', token: { id: 'tk_stale', principal: 'bob', kind: 'personal', description: 'old laptop', lifeDays: 90 } },
  ...daily('tk_stale', '10.0.0.9', [2, 3, 4]),
  // Used, but runs out within 14 days of the review.
  { on: 10, do: 'issue', token: { id: 'tk_short', principal: 'carol', kind: 'temporary', description: 'migration', lifeDays: 28 } },
  ...daily('tk_short', '10.0.0.7', [28, 29]),
  // Revoked: not reviewed at all.
  { on: 2, do: 'issue', token: { id: 'tk_gone', principal: 'bob', kind: 'personal', description: 'revoked', lifeDays: 90 } },
  { on: 3, do: 'revoke', tokenId: 'tk_gone' },
  // Issued two days before the review and not used yet: too young to be flagged.
  { on: 28, do: 'issue', token: { id: 'tk_fresh', principal: 'alice', kind: 'personal', description: 'new', lifeDays: 90 } },
  // Bob leaves the company on day 20.
  { on: 20, do: 'leave', principal: 'bob' },
];

const UNUSED_DAYS = 21;
const PROJECTS = ['acme-web', 'acme-api', 'tools'];

describe('access review over a scripted month', () => {
  const review = reviewAccess({ ...play(MONTH, 30), unusedDays: UNUSED_DAYS, projects: PROJECTS });
  const flagsOf = (tokenId: string): readonly string[] => review.principals.flatMap((p) => p.tokens).find((t) => t.id === tokenId)?.flags ?? ['<absent>'];
  const principal = (name: string) => review.principals.find((p) => p.name === name);

  it('flags a token never used in the period', () => {
    assert.deepEqual(flagsOf('tk_never'), ['never-used']);
  });

  it('flags a token unused for the period', () => {
    assert.deepEqual(flagsOf('tk_stale'), ['unused']);
    assert.match(review.findings.find((f) => f.tokenId === 'tk_stale')?.detail ?? '', /26 days ago/);
  });

  it('flags a token that expires within 14 days', () => {
    assert.deepEqual(flagsOf('tk_short'), ['expiring']);
  });

  it('flags admin grants, direct and through a group', () => {
    assert.deepEqual(review.findings.filter((f) => f.flag === 'admin').map((f) => f.principal), ['group:ops', 'root-bot']);
    assert.ok(principal('carol')?.flags.includes('admin'));
    assert.deepEqual(principal('carol')?.grants, [{ role: 'admin', pattern: '*', via: 'group:ops' }]);
  });

  it('flags a directory user gone from the directory, and drops them from their groups', () => {
    assert.deepEqual(principal('bob')?.flags, ['unused', 'left-directory']);
    assert.deepEqual(principal('group:dev')?.members, ['alice']);
    assert.deepEqual(principal('bob')?.grants, []);
  });

  it('flags a grant whose pattern matches no project', () => {
    assert.deepEqual(review.findings.filter((f) => f.flag === 'pattern-matches-nothing').map((f) => `${f.principal} ${f.pattern}`), ['ci-bot legacy-*']);
  });

  it('leaves the clean cases unflagged: a busy token, a fresh one, a revoked one', () => {
    assert.deepEqual(flagsOf('tk_busy'), []);
    assert.deepEqual(flagsOf('tk_fresh'), []);
    assert.deepEqual(flagsOf('tk_gone'), ['<absent>']);
    assert.deepEqual(principal('alice')?.grants, [{ role: 'developer', pattern: 'acme-*', via: 'group:dev' }]);
    assert.deepEqual(principal('alice')?.flags, ['never-used']);
  });

  it('counts each flag and offers exactly the unused tokens for revocation', () => {
    assert.deepEqual(review.counts, { 'never-used': 1, unused: 1, expiring: 1, admin: 2, 'left-directory': 1, 'pattern-matches-nothing': 1 });
    assert.deepEqual(revocableTokens(review).map((t) => t.tokenId).sort(), ['tk_never', 'tk_stale']);
  });

  it('does not judge patterns when project names are unknown', () => {
    const blind = reviewAccess({ ...play(MONTH, 30), unusedDays: UNUSED_DAYS, projects: undefined });
    assert.equal(blind.projectsChecked, false);
    assert.equal(blind.counts['pattern-matches-nothing'], 0);
  });

  it('is not yet flagging anything stale a week into the month', () => {
    const early = reviewAccess({ ...play(MONTH, 7), unusedDays: UNUSED_DAYS, projects: PROJECTS });
    assert.equal(early.counts['never-used'] + early.counts.unused, 0);
  });
});
