/** The auth service's admin API as the end-to-end suites drive it: issue tokens, grant and revoke roles. */
import assert from 'node:assert/strict';

export interface AdminClient {
  readonly base: string;
  /** `Authorization` header value of an administrator. */
  readonly auth: string;
}

export interface Issued {
  readonly id: string;
  readonly principal: string;
  readonly token: string;
}

export async function issueToken(registry: AdminClient, principal: string, description: string): Promise<Issued> {
  const response = await fetch(`${registry.base}/api/auth/principals/${principal}/tokens`, {
    method: 'POST',
    headers: { authorization: registry.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ description }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return (await response.json()) as Issued;
}

export const grantPath = (principal: string, role: string, pattern: string): string =>
  `/api/auth/principals/${principal}/grants/${encodeURIComponent(role)}/${encodeURIComponent(pattern)}`;

export async function grant(registry: AdminClient, principal: string, role: string, pattern: string, method: 'PUT' | 'DELETE' = 'PUT'): Promise<void> {
  const response = await fetch(`${registry.base}${grantPath(principal, role, pattern)}`, { method, headers: { authorization: registry.auth } });
  assert.equal(response.status, 204, await response.text());
}
