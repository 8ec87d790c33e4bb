/** What an `Authorization` header carries. Any malformed header counts as no credentials at all. */
export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'password'; readonly username: string; readonly password: string };

const TOKEN_USERNAME = '__token__';

export function parseAuthorization(header: string | undefined): Credentials {
  if (!header) {
    return { kind: 'none' };
  }
  const [scheme = '', value = '', ...rest] = header.trim().split(/\s+/);
  if (rest.length > 0 || value === '') {
    return { kind: 'none' };
  }
  if (/^(bearer|token)$/i.test(scheme)) {
    return { kind: 'token', token: value };
  }
  if (!/^basic$/i.test(scheme) || !/^[A-Za-z0-9+/]+=*$/.test(value)) {
    return { kind: 'none' };
  }
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    return { kind: 'none' };
  }
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1).trim();
  if (password === '') {
    return { kind: 'none' };
  }
  return username.trim() === TOKEN_USERNAME ? { kind: 'token', token: password } : { kind: 'password', username, password };
}
