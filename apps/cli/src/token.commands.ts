import type { Command } from 'commander';
import { fields, principalPath, segment, text, withToken, type CommandPlan, type Printed } from './plan.js';
import { cidr, duration, durationSeconds, listOf, nonEmpty, oneOf, positiveNumber } from './option-values.js';
import type { Submit } from './submit.js';
import { tokenTable } from './token-table.js';
import { done } from './access.commands.js';

export const KINDS = ['personal', 'ci', 'temporary', 'emergency'] as const;
export const PERMISSIONS = ['install', 'publish', 'yank', 'delete', 'admin'] as const;

export interface TokenCreateOptions {
  readonly kind?: string;
  readonly expires?: string;
  readonly packages?: readonly string[];
  readonly permissions?: readonly string[];
  readonly uses?: number;
  readonly cidr?: readonly string[];
  readonly reason?: string;
  readonly description?: string;
}

/** `token create|list|rotate|revoke`: tokens on the auth service. */
export function registerTokenCommands(program: Command, submit: Submit): void {
  const token = program.command('token').summary('issue, list, rotate and revoke tokens').description('Issue, list, rotate and revoke tokens.');

  token
    .command('create')
    .summary('issue a token that acts for a principal (printed once)')
    .description('Issue a token that acts for a principal. It is printed once, alone on standard output; the rest goes to standard error.')
    .argument('<principal>', 'a user or a service account')
    .option('--kind <kind>', `${KINDS.join(', ')} (the server's default: personal)`, oneOf(KINDS))
    .option('--expires <duration>', "its life, such as 30d, 12h, 90m or 45s (at most the kind's longest)", duration)
    .option('--packages <patterns>', "only these projects: names or prefixes such as 'acme-*' (repeatable, or comma-separated)", listOf(nonEmpty))
    .option('--permissions <names>', `only these of the principal's permissions: ${PERMISSIONS.join(', ')} (repeatable, or comma-separated)`, listOf(oneOf(PERMISSIONS)))
    .option('--uses <n>', 'it stops after this many requests', positiveNumber)
    .option('--cidr <range>', 'only from these address ranges, such as 10.0.0.0/8 (repeatable, or comma-separated)', listOf(cidr))
    .option('--reason <text>', 'why (required for an emergency token)')
    .option('--description <text>', 'what it is for, shown in listings')
    .action((principal: string, options: TokenCreateOptions) => submit(tokenCreatePlan(principal, options)));

  token
    .command('list')
    .summary('list tokens: id, principal, kind, expiry, last use, restrictions (never a secret)')
    .argument('[principal]', "only this principal's tokens")
    .option('--expiring <duration>', 'only tokens that expire within this, such as 14d', duration)
    .action((principal: string | undefined, options: { expiring?: string }) => submit(tokenListPlan(principal, options.expiring)));

  token
    .command('rotate')
    .summary('give a token a new secret (printed once)')
    .description('Give a token a new secret, printed once on standard output. The old secret keeps working for the grace (default 0s: it stops at once).')
    .argument('<id>', 'the token id (tk_…)')
    .option('--grace <duration>', 'how long the old secret keeps working, such as 1h', duration)
    .action((id: string, options: { grace?: string }) => submit(tokenRotatePlan(id, options.grace)));

  token
    .command('revoke')
    .summary('revoke a token: it stops working at once')
    .argument('<id>', 'the token id (tk_…)')
    .action((id: string) => submit(tokenRevokePlan(id)));
}

/** For the 201 answers that carry a secret: the secret alone on stdout, what it is (`what`) on stderr. */
export function issued(what: (answer: Readonly<Record<string, unknown>>) => string): (body: unknown) => Printed {
  return (body) => {
    const answer = fields(body);
    return { stdout: `${text(answer['token'])}\n`, stderr: `${what(answer)}\n` };
  };
}

/** `tk_… (ci, expires 2026-06-01T00:00:00.000Z)`, as far as the server said it. */
export function describeToken(answer: Readonly<Record<string, unknown>>): string {
  const details = [
    ...(typeof answer['kind'] === 'string' ? [text(answer['kind'])] : []),
    ...(typeof answer['expiresAt'] === 'string' ? [`expires ${text(answer['expiresAt'])}`] : []),
  ];
  return `${text(answer['id'])}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

export function tokenCreatePlan(principal: string, options: TokenCreateOptions): CommandPlan {
  const { cidr: cidrs, ...rest } = options;
  const body = Object.fromEntries(Object.entries({ ...rest, cidrs }).filter(([, value]) => value !== undefined));
  return {
    request: { method: 'POST', path: `${principalPath(principal)}/tokens`, body },
    credentials: withToken,
    show: issued((answer) => `issued token ${describeToken(answer)} for ${text(answer['principal'])}; it is shown this once:`),
  };
}

export function tokenListPlan(principal: string | undefined, expiring: string | undefined): CommandPlan {
  const query = new URLSearchParams();
  if (principal !== undefined) {
    query.set('principal', principal);
  }
  if (expiring !== undefined) {
    query.set('expiringWithinSeconds', String(durationSeconds(expiring)));
  }
  const search = query.toString() === '' ? '' : `?${query.toString()}`;
  return {
    request: { method: 'GET', path: `/api/auth/tokens${search}` },
    credentials: withToken,
    show: (body) => ({ stdout: tokenTable(body, new Date()) }),
  };
}

export const tokenRotatePlan = (id: string, grace: string | undefined): CommandPlan => ({
  request: { method: 'POST', path: `/api/auth/tokens/${segment(id)}/rotate`, body: grace === undefined ? {} : { grace } },
  credentials: withToken,
  show: issued((answer) => {
    const until = answer['previousValidUntil'];
    const old = typeof until === 'string' ? `the old secret works until ${text(until)}` : 'the old secret no longer works';
    return `rotated token ${describeToken(answer)} of ${text(answer['principal'])}; ${old}; the new one is shown this once:`;
  }),
});

export const tokenRevokePlan = (id: string): CommandPlan => ({
  request: { method: 'DELETE', path: `/api/auth/tokens/${segment(id)}` },
  credentials: withToken,
  show: done,
});
