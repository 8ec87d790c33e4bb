/** What one `quiver` command does: one request to the admin API, and how its answer is shown. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
  readonly method: HttpMethod;
  /** Path and query below the server's base URL, every parameter already encoded. */
  readonly path: string;
  /** Sent as JSON when present. */
  readonly body?: unknown;
}

/** What a command prints for a person: the result on standard output, commentary on standard error. */
export interface Printed {
  readonly stdout?: string;
  readonly stderr?: string;
}

/**
 * How the request authenticates: the caller's token (`__token__` Basic, as every client does), or,
 * for `login` only, a directory account whose password is read from standard input.
 */
export type Credentials = { readonly kind: 'token' } | { readonly kind: 'password'; readonly username: string };

/** A command that pages through a listing: after each answer, the request for the next page. */
export interface Paging {
  /** The next request after a page's answer, or undefined when the listing is done. */
  readonly next: (body: unknown) => { readonly request: ApiRequest; readonly delayMs?: number } | undefined;
}

export interface CommandPlan {
  readonly request: ApiRequest;
  readonly credentials: Credentials;
  /** What a successful answer prints without `--json` (`body` is undefined for a 204); `page` counts from 0 when paging. */
  readonly show: (body: unknown, page?: number) => Printed;
  /** Present for listings read page by page (`audit export`, `audit tail`): each page is printed as it comes. */
  readonly paging?: Paging;
  /** A successful answer that still reports findings exits 1 (`reconcile`). */
  readonly findings?: (body: unknown) => boolean;
  /**
   * Ask before sending `request`: `preview` is sent first and `question` says what would happen
   * (with `count` 0 nothing is sent). Without a terminal the command is refused with `refusal`.
   */
  readonly confirm?: {
    readonly preview: ApiRequest;
    readonly question: (body: unknown) => { readonly count: number; readonly text: string };
    readonly refusal: string;
  };
}

export const withToken: Credentials = { kind: 'token' };

/** A path segment: every character that is not unreserved is percent-encoded (`group:dev` → `group%3Adev`). */
export const segment = (value: string): string => encodeURIComponent(value);

export const principalPath = (principal: string): string => `/api/auth/principals/${segment(principal)}`;

/** The object the server answered, or an empty one for anything else. */
export const fields = (body: unknown): Readonly<Record<string, unknown>> =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/** A field as display text ('?' when absent), with control characters replaced so nothing steers the terminal. */
export const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? printable(String(value)) : '?');

// eslint-disable-next-line no-control-regex
export const printable = (value: string): string => value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
