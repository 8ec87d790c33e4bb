/** What checking a directory username and password says (the auth service decides; others ask it). */
export type PasswordCheck =
  | { readonly ok: true; readonly principal: string; readonly groups: readonly string[] }
  | { readonly ok: false; readonly refusal: 'invalid' }
  | { readonly ok: false; readonly refusal: 'limited'; readonly retryAfterSeconds: number }
  | { readonly ok: false; readonly refusal: 'unavailable' }
  | { readonly ok: false; readonly refusal: 'conflict'; readonly message: string };

/** Checks a directory password for a request from `address` (the auth service's sign-in, or a service asking it). */
export interface PasswordChecker {
  check(username: string, password: string, address: string): Promise<PasswordCheck>;
}

export const PASSWORDS_PATH = '/-/auth/passwords';

/**
 * Asks the auth service (`POST /-/auth/passwords` with the Basic credentials, the client's address
 * in `X-Forwarded-For`, which the auth service believes only from its QUIVER_TRUSTED_PROXIES)
 * whether a directory password is right. The auth service keeps the failure limits for
 * every service; an auth service that does not answer is `unavailable` (503), never a pass.
 */
export class RemotePasswordChecker implements PasswordChecker {
  constructor(
    private readonly authUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async check(username: string, password: string, address: string): Promise<PasswordCheck> {
    let response: Response;
    try {
      response = await fetch(new URL(PASSWORDS_PATH, this.authUrl), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'x-forwarded-for': address },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      return { ok: false, refusal: 'unavailable' };
    }
    const body = (await response.json().catch(() => ({}))) as { principal?: unknown; groups?: unknown; retryAfterSeconds?: unknown; detail?: unknown };
    if (response.status === 200 && typeof body.principal === 'string' && Array.isArray(body.groups)) {
      return { ok: true, principal: body.principal, groups: body.groups.filter((group): group is string => typeof group === 'string') };
    }
    if (response.status === 429) {
      return { ok: false, refusal: 'limited', retryAfterSeconds: Number(response.headers.get('retry-after')) || 60 };
    }
    if (response.status === 403) {
      return { ok: false, refusal: 'conflict', message: typeof body.detail === 'string' ? body.detail : 'This directory user cannot use the registry.' };
    }
    return response.status === 401 ? { ok: false, refusal: 'invalid' } : { ok: false, refusal: 'unavailable' };
  }
}
