import { printable, type CommandPlan } from './plan.js';

/** The exit-code contract (also in `quiver --help` and docs/operations/access.md). */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The server refused (any non-2xx answer), answered something that is not Quiver's API, or reported findings (`reconcile`). */
  refused: 1,
  /** Usage or configuration error: unknown command, option or argument, a bad value, no token. Nothing was sent. */
  usage: 2,
  /** The server cannot be reached (refused connection, unknown host, timeout, TLS). */
  unreachable: 3,
} as const;

export type Failure =
  | { readonly kind: 'usage' | 'config'; readonly message: string }
  | { readonly kind: 'refused'; readonly status: number; readonly message: string; readonly problem?: unknown }
  | { readonly kind: 'bad-answer'; readonly message: string }
  | { readonly kind: 'unreachable'; readonly url: string; readonly cause: string };

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const CODES: Record<Failure['kind'], number> = { usage: EXIT.usage, config: EXIT.usage, refused: EXIT.refused, 'bad-answer': EXIT.refused, unreachable: EXIT.unreachable };

const messageOf = (failure: Failure): string => (failure.kind === 'unreachable' ? `cannot reach ${failure.url}: ${failure.cause}` : failure.message);

/** A usage error as `--json` prints it on standard error. */
export const usageError = (message: string): string => `${JSON.stringify({ ok: false, error: 'usage', message })}\n`;

/** What a failure prints (on standard error only) and its exit code. */
export function failed(failure: Failure, json: boolean): Result {
  const message = printable(messageOf(failure));
  if (!json) {
    return { code: CODES[failure.kind], stdout: '', stderr: `quiver: ${message}\n` };
  }
  const details =
    failure.kind === 'refused'
      ? { status: failure.status, ...(failure.problem === undefined ? {} : { problem: failure.problem }) }
      : failure.kind === 'unreachable'
        ? { url: failure.url, cause: failure.cause }
        : {};
  return { code: CODES[failure.kind], stdout: '', stderr: `${JSON.stringify({ ok: false, error: failure.kind, message, ...details })}\n` };
}

/** What a successful answer prints: the server's JSON (or `{"ok":true}` for a 204) with `--json`, else the command's own text. */
export function succeeded(plan: CommandPlan, body: unknown, json: boolean, page?: number): Result {
  const code = plan.findings?.(body) === true ? EXIT.refused : EXIT.ok;
  if (json) {
    return { code, stdout: `${JSON.stringify(body === undefined ? { ok: true } : body, null, 2)}\n`, stderr: '' };
  }
  const printed = plan.show(body, page);
  return { code, stdout: printed.stdout ?? '', stderr: printed.stderr ?? '' };
}
