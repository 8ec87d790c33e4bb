import { HttpException } from '@nestjs/common';

/**
 * A refusal of the access guard: its status, a stable `code` and the message the client shows, and
 * the headers that go with it (the Basic challenge on a 401, so pip and uv ask keyring or netrc;
 * `Retry-After` on a 429 or 503). The exception filter writes it like every other problem.
 */
export class AccessDeniedException extends HttpException {
  constructor(
    status: 401 | 403 | 429 | 503,
    code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ code, message }, status);
  }
}

export const CHALLENGE = { 'www-authenticate': 'Basic realm="quiver"', 'cache-control': 'no-store', vary: 'Authorization' } as const;

export const unauthenticated = (code: string, message: string): AccessDeniedException => new AccessDeniedException(401, code, message, CHALLENGE);
