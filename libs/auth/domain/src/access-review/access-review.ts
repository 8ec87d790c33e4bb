import { GROUP_PREFIX, patternMatches } from '@quiver/shared-domain-access';

/**
 * The access review (issue 12): every principal and group with its effective grants and live
 * tokens, and what deserves a second look. Pure: the clock, the identity data and the project
 * names come in as input.
 */

const DAY_MS = 86_400_000;
/** Live tokens that expire within this many days are flagged `expiring`. */
export const EXPIRING_WITHIN_DAYS = 14;

export interface ReviewGrant {
  readonly principal: string;
  readonly role: string;
  readonly pattern: string;
}

export interface ReviewToken {
  readonly id: string;
  readonly principal: string;
  readonly kind: string;
  readonly description: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly lastUsedFrom: string | null;
}

/** A directory (LDAP) user as the auth service last read it. */
export interface ReviewDirectoryUser {
  readonly principal: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly leftAt: Date | null;
}

export interface AccessReviewInput {
  readonly now: Date;
  /** A token with no use for this many days is flagged (`--unused 90d`). */
  readonly unusedDays: number;
  readonly grants: readonly ReviewGrant[];
  readonly tokens: readonly ReviewToken[];
  readonly directoryUsers: readonly ReviewDirectoryUser[];
  /** When the auth service last read every directory user again (null: never, or no directory). */
  readonly directoryCheckedAt: Date | null;
  /** Normalised project names the index serves; undefined when they could not be learnt. */
  readonly projects: readonly string[] | undefined;
}

export const REVIEW_FLAGS = ['never-used', 'unused', 'expiring', 'admin', 'left-directory', 'pattern-matches-nothing'] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];
/** Flags on a token that `revoke-unused` acts on. */
export const REVOCABLE_FLAGS: readonly ReviewFlag[] = ['never-used', 'unused'];

export interface Finding {
  readonly flag: ReviewFlag;
  readonly principal: string;
  readonly tokenId: string | null;
  readonly role: string | null;
  readonly pattern: string | null;
  /** One sentence for a person. */
  readonly detail: string;
}

export interface EffectiveGrant {
  readonly role: string;
  readonly pattern: string;
  /** `direct`, or the `group:<name>` it comes through. */
  readonly via: string;
}

export interface TokenReview {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly lastUsedFrom: string | null;
  readonly flags: readonly ReviewFlag[];
}

export interface PrincipalReview {
  readonly name: string;
  /** `user` (directory), `local` (a service account or local user) or `group`. */
  readonly type: 'user' | 'local' | 'group';
  /** Directory users: their login name and groups; groups: their members as last read. */
  readonly directory: { readonly username: string; readonly groups: readonly string[]; readonly leftAt: string | null } | null;
  readonly members: readonly string[];
  readonly grants: readonly EffectiveGrant[];
  readonly tokens: readonly TokenReview[];
  readonly flags: readonly ReviewFlag[];
}

export interface AccessReview {
  readonly generatedAt: string;
  readonly unusedDays: number;
  readonly expiringWithinDays: number;
  readonly directoryCheckedAt: string | null;
  /** False when project names were not available: `pattern-matches-nothing` was not checked. */
  readonly projectsChecked: boolean;
  readonly principals: readonly PrincipalReview[];
  readonly findings: readonly Finding[];
  readonly counts: Readonly<Record<ReviewFlag, number>>;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;
const days = (ms: number): number => Math.floor(ms / DAY_MS);

/** The flags of one live token at `now`. */
export function tokenFlags(token: ReviewToken, now: Date, unusedDays: number): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  const periodStart = now.getTime() - unusedDays * DAY_MS;
  if (token.lastUsedAt === null) {
    // A token younger than the period has not had its chance yet.
    if (token.issuedAt.getTime() <= periodStart) {
      flags.push('never-used');
    }
  } else if (token.lastUsedAt.getTime() < periodStart) {
    flags.push('unused');
  }
  if (token.expiresAt.getTime() - now.getTime() <= EXPIRING_WITHIN_DAYS * DAY_MS) {
    flags.push('expiring');
  }
  return flags;
}

const isLive = (token: ReviewToken, now: Date): boolean => token.revokedAt === null && token.expiresAt.getTime() > now.getTime();

function tokenFinding(token: ReviewToken, flag: ReviewFlag, now: Date): Finding {
  const detail = {
    'never-used': `${token.kind} token ${token.id} was issued ${days(now.getTime() - token.issuedAt.getTime())} days ago and never used`,
    unused: `${token.kind} token ${token.id} was last used ${days(now.getTime() - (token.lastUsedAt?.getTime() ?? 0))} days ago`,
    expiring: `${token.kind} token ${token.id} expires ${token.expiresAt.toISOString()}`,
  }[flag as 'never-used' | 'unused' | 'expiring'];
  return { flag, principal: token.principal, tokenId: token.id, role: null, pattern: null, detail };
}

/** Builds the review. Principals sorted by name, groups among them (`group:…`). */
export function reviewAccess(input: AccessReviewInput): AccessReview {
  const { now } = input;
  const directory = new Map(input.directoryUsers.map((user) => [user.principal, user]));
  const names = new Set<string>([...input.grants.map((g) => g.principal), ...input.tokens.filter((t) => isLive(t, now)).map((t) => t.principal), ...directory.keys()]);
  // Groups that directory users belong to count as principals too (members without grants are worth seeing).
  for (const user of input.directoryUsers) {
    if (user.leftAt === null) {
      user.groups.forEach((group) => names.add(`${GROUP_PREFIX}${group}`));
    }
  }
  const grantsOf = (principal: string): ReviewGrant[] => input.grants.filter((grant) => grant.principal === principal);
  const membersOf = (group: string): string[] =>
    input.directoryUsers.filter((user) => user.leftAt === null && user.groups.includes(group.slice(GROUP_PREFIX.length))).map((user) => user.principal).sort();
  const findings: Finding[] = [];
  const principals = [...names].sort().map((name): PrincipalReview => {
    const isGroup = name.startsWith(GROUP_PREFIX);
    const user = directory.get(name);
    const grants: EffectiveGrant[] = grantsOf(name).map((grant) => ({ role: grant.role, pattern: grant.pattern, via: 'direct' }));
    if (user && user.leftAt === null) {
      for (const group of user.groups) {
        grants.push(...grantsOf(`${GROUP_PREFIX}${group}`).map((grant) => ({ role: grant.role, pattern: grant.pattern, via: `${GROUP_PREFIX}${group}` })));
      }
    }
    const flags = new Set<ReviewFlag>();
    for (const grant of grantsOf(name)) {
      if (grant.role === 'admin') {
        flags.add('admin');
        findings.push({ flag: 'admin', principal: name, tokenId: null, role: grant.role, pattern: grant.pattern, detail: `${name} holds admin on '${grant.pattern}'` });
      }
      if (input.projects !== undefined && !input.projects.some((project) => patternMatches(grant.pattern, project))) {
        flags.add('pattern-matches-nothing');
        findings.push({ flag: 'pattern-matches-nothing', principal: name, tokenId: null, role: grant.role, pattern: grant.pattern, detail: `'${grant.pattern}' (${grant.role}) matches no project` });
      }
    }
    if (grants.some((grant) => grant.role === 'admin' && grant.via !== 'direct')) {
      flags.add('admin');
    }
    if (user?.leftAt) {
      flags.add('left-directory');
      findings.push({ flag: 'left-directory', principal: name, tokenId: null, role: null, pattern: null, detail: `${name} (${user.username}) is no longer in the directory since ${user.leftAt.toISOString()}` });
    }
    const tokens = input.tokens
      .filter((token) => token.principal === name && isLive(token, now))
      .map((token): TokenReview => {
        const own = tokenFlags(token, now, input.unusedDays);
        own.forEach((flag) => {
          flags.add(flag);
          findings.push(tokenFinding(token, flag, now));
        });
        return { id: token.id, kind: token.kind, description: token.description, issuedAt: token.issuedAt.toISOString(), expiresAt: token.expiresAt.toISOString(), lastUsedAt: iso(token.lastUsedAt), lastUsedFrom: token.lastUsedFrom, flags: own };
      });
    return {
      name,
      type: isGroup ? 'group' : user ? 'user' : 'local',
      directory: user ? { username: user.username, groups: [...user.groups].sort(), leftAt: iso(user.leftAt) } : null,
      members: isGroup ? membersOf(name) : [],
      grants,
      tokens,
      flags: REVIEW_FLAGS.filter((flag) => flags.has(flag)),
    };
  });
  const counts = Object.fromEntries(REVIEW_FLAGS.map((flag) => [flag, findings.filter((finding) => finding.flag === flag).length])) as Record<ReviewFlag, number>;
  return {
    generatedAt: now.toISOString(),
    unusedDays: input.unusedDays,
    expiringWithinDays: EXPIRING_WITHIN_DAYS,
    directoryCheckedAt: iso(input.directoryCheckedAt),
    projectsChecked: input.projects !== undefined,
    principals,
    findings,
    counts,
  };
}

/** The tokens `revoke-unused` takes back: each live token flagged `never-used` or `unused`, once. */
export function revocableTokens(review: AccessReview): { readonly principal: string; readonly tokenId: string; readonly flag: ReviewFlag }[] {
  return review.findings
    .filter((finding): finding is Finding & { tokenId: string } => finding.tokenId !== null && REVOCABLE_FLAGS.includes(finding.flag))
    .map((finding) => ({ principal: finding.principal, tokenId: finding.tokenId, flag: finding.flag }));
}
