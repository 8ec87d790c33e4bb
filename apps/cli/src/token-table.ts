import { fields, text } from './plan.js';

/** `2026-05-01T10:00:00.000Z` → `2026-05-01 10:00Z`; anything else as given. */
const minute = (value: unknown): string => {
  const shown = text(value);
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(shown) ? `${shown.slice(0, 10)} ${shown.slice(11, 16)}Z` : shown;
};

const joined = (value: unknown): string | undefined => (Array.isArray(value) && value.length > 0 ? value.map(text).join(',') : undefined);

function expires(token: Readonly<Record<string, unknown>>, now: Date): string {
  if (typeof token['revokedAt'] === 'string') {
    return `revoked ${minute(token['revokedAt'])}`;
  }
  if (typeof token['expiresAt'] !== 'string') {
    return 'never';
  }
  return `${Date.parse(token['expiresAt']) <= now.getTime() ? 'expired ' : ''}${minute(token['expiresAt'])}`;
}

function lastUsed(token: Readonly<Record<string, unknown>>): string {
  if (typeof token['lastUsedAt'] !== 'string') {
    return 'never';
  }
  return typeof token['lastUsedFrom'] === 'string' ? `${minute(token['lastUsedAt'])} from ${text(token['lastUsedFrom'])}` : minute(token['lastUsedAt']);
}

function restrictions(token: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const packages = joined(token['packages']);
  const permissions = joined(token['permissions']);
  const cidrs = joined(token['cidrs']);
  if (packages !== undefined) {
    parts.push(`packages ${packages}`);
  }
  if (permissions !== undefined) {
    parts.push(`permissions ${permissions}`);
  }
  if (typeof token['usesAllowed'] === 'number') {
    parts.push(`uses ${typeof token['usesLeft'] === 'number' ? token['usesLeft'] : '?'} of ${token['usesAllowed']} left`);
  }
  if (cidrs !== undefined) {
    parts.push(`from ${cidrs}`);
  }
  return parts.length > 0 ? parts.join('; ') : '-';
}

/** `GET /api/auth/tokens`'s answer as a table: id, principal, kind, expires, last used, restrictions. Never a secret: none is in the answer, and no field but these is shown. */
export function tokenTable(body: unknown, now: Date): string {
  const tokens = fields(body)['tokens'];
  if (!Array.isArray(tokens) || tokens.length === 0) {
    return 'no tokens\n';
  }
  const rows = [
    ['ID', 'PRINCIPAL', 'KIND', 'EXPIRES', 'LAST USED', 'RESTRICTIONS'],
    ...tokens.map(fields).map((token) => [text(token['id']), text(token['principal']), text(token['kind']), expires(token, now), lastUsed(token), restrictions(token)]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n') + '\n';
}
