import type { TokenUseCounter } from './access-control.js';

/** The auth service cannot be asked (distributed mode): a token with a use limit is then refused with 503, never let through uncounted. */
export class TokenUseCountUnavailableError extends Error {
  override readonly name = 'TokenUseCountUnavailableError';
}

export const TOKEN_USES_PATH = '/-/auth/token-uses';

/**
 * Takes a use of a limited token at the auth service, which keeps the one count for every service
 * and replica (`POST /-/auth/token-uses` with the token itself as its credential: only a holder of
 * the secret can spend its uses).
 */
export class RemoteTokenUseCounter implements TokenUseCounter {
  constructor(
    private readonly authUrl: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async take(_tokenId: string, _usesAllowed: number, secret: string): Promise<boolean> {
    let response: Response;
    try {
      response = await fetch(new URL(TOKEN_USES_PATH, this.authUrl), { method: 'POST', headers: { authorization: `Bearer ${secret}` }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new TokenUseCountUnavailableError(`the auth service at ${this.authUrl} did not answer (${error instanceof Error ? error.name : 'error'})`);
    }
    await response.arrayBuffer();
    if (response.status >= 500) {
      throw new TokenUseCountUnavailableError(`the auth service answered ${response.status}`);
    }
    return response.status === 204;
  }
}
