import type { Command } from 'commander';
import { withToken, type CommandPlan } from './plan.js';
import { duration, oneOf } from './option-values.js';
import { reviewCsv, reviewMarkdown, revocationQuestion, revokedText, securityMarkdown } from './report-render.js';
import type { Submit } from './submit.js';

export interface ReviewOptions {
  readonly format?: string;
  readonly unused?: string;
  readonly revokeUnused?: boolean;
  readonly yes?: boolean;
}

/** `access review`, `security report`: the reports of docs/operations/audit.md (admin role on `*`). */
export function registerReportCommands(program: Command, submit: Submit): void {
  program
    .command('access')
    .summary('access reviews')
    .command('review')
    .summary('every principal, group, grant and token, with what deserves a second look')
    .description(
      'Every principal and group with its effective grants and live tokens (kind, expiry, last use), flagged: never used, unused ' +
        'for the period, expiring within 14 days, admin grants, directory users gone from the directory, patterns matching no project. ' +
        '--revoke-unused revokes the tokens flagged never used or unused, after a confirmation on a terminal (or --yes); declined, it exits 1 and changes nothing.',
    )
    .option('--format <format>', 'md (default), csv or json', oneOf(['md', 'csv', 'json']))
    .option('--unused <duration>', 'a token unused this long is flagged, such as 90d (default 90d)', duration)
    .option('--revoke-unused', 'revoke the tokens flagged never used or unused')
    .option('--yes', 'with --revoke-unused: do not ask')
    .action((options: ReviewOptions) => submit(reviewPlan(options)));

  program
    .command('security')
    .summary('security reports')
    .command('report')
    .summary('failed sign-ins, denials, emergency-token uses, unusual downloads and new addresses')
    .option('--since <when>', 'the window: a duration back from now such as 7d (default), or an ISO time', since)
    .option('--format <format>', 'md (default) or json', oneOf(['md', 'json']))
    .action((options: { since?: string; format?: string }) => submit(securityPlan(options)));
}

/** `7d`, `24h` or an ISO date/time. */
function since(value: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(value.trim()) && !Number.isNaN(Date.parse(value)) ? value.trim() : duration(value);
}

const query = (unused: string | undefined): string => (unused === undefined ? '' : `?unused=${encodeURIComponent(unused)}`);
const asJson = (body: unknown): string => `${JSON.stringify(body, null, 2)}\n`;

export function reviewPlan(options: ReviewOptions): CommandPlan {
  const review = { method: 'GET', path: `/api/auth/access-review${query(options.unused)}` } as const;
  if (options.revokeUnused === true) {
    return {
      request: { method: 'POST', path: `/api/auth/access-review/revoke-unused${query(options.unused)}` },
      credentials: withToken,
      show: (body) => ({ stdout: options.format === 'json' ? asJson(body) : revokedText(body) }),
      ...(options.yes === true ? {} : { confirm: { preview: review, question: revocationQuestion, refusal: '--revoke-unused asks for a confirmation on a terminal: run it on one, or add --yes.' } }),
    };
  }
  const render = options.format === 'json' ? asJson : options.format === 'csv' ? reviewCsv : reviewMarkdown;
  return { request: review, credentials: withToken, show: (body) => ({ stdout: render(body) }) };
}

export function securityPlan(options: { since?: string; format?: string }): CommandPlan {
  return {
    request: { method: 'GET', path: `/api/audit/security-report${options.since === undefined ? '' : `?since=${encodeURIComponent(options.since)}`}` },
    credentials: withToken,
    show: (body) => ({ stdout: options.format === 'json' ? asJson(body) : securityMarkdown(body) }),
  };
}
