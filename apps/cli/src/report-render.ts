import { fields, printable, text } from './plan.js';

/** How `quiver access review` and `quiver security report` print a report the server answered. Pure. */

const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).map(text);
/** A Markdown table cell: printable, pipes escaped, never empty. */
const cell = (value: unknown): string => {
  const shown = value === null || value === undefined ? '' : text(value);
  return shown.replace(/\|/g, '\\|') || '–';
};
const minute = (value: unknown): string => (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) ? `${value.slice(0, 10)} ${value.slice(11, 16)}Z` : value === null ? 'never' : text(value));

function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  if (rows.length === 0) {
    return ['_none_'];
  }
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

const FLAG_TITLES: Record<string, string> = {
  'never-used': 'Tokens never used',
  unused: 'Tokens unused for the period',
  expiring: 'Tokens expiring within 14 days',
  admin: 'Admin grants',
  'left-directory': 'Directory users no longer in the directory',
  'pattern-matches-nothing': 'Grants to patterns that match no project',
};

/** The access review as Markdown: summary, findings by flag, then every principal. */
export function reviewMarkdown(body: unknown): string {
  const review = fields(body);
  const findings = list(review['findings']).map(fields);
  const counts = fields(review['counts']);
  const lines = [
    `# Access review ${minute(review['generatedAt'])}`,
    '',
    `Tokens unused for ${text(review['unusedDays'])} days are flagged; expiring means within ${text(review['expiringWithinDays'])} days.`,
    `Directory last re-read: ${minute(review['directoryCheckedAt'])}. Project patterns checked: ${review['projectsChecked'] === true ? 'yes' : 'no (project names unavailable)'}.`,
    '',
    '## Summary',
    '',
    ...table(['flag', 'count'], Object.keys(FLAG_TITLES).map((flag) => [flag, counts[flag] ?? 0])),
  ];
  for (const [flag, title] of Object.entries(FLAG_TITLES)) {
    const rows = findings.filter((finding) => finding['flag'] === flag);
    if (rows.length > 0) {
      lines.push('', `## ${title}`, '', ...rows.map((finding) => `- ${text(finding['detail'])}`));
    }
  }
  lines.push('', '## Principals');
  for (const principal of list(review['principals']).map(fields)) {
    const flags = strings(principal['flags']);
    const directory = principal['directory'] === null ? undefined : fields(principal['directory']);
    lines.push('', `### ${text(principal['name'])} (${text(principal['type'])})${flags.length > 0 ? ` — ${flags.join(', ')}` : ''}`, '');
    if (directory) {
      lines.push(`Directory user ${text(directory['username'])}, groups: ${strings(directory['groups']).join(', ') || 'none'}${typeof directory['leftAt'] === 'string' ? `, left ${minute(directory['leftAt'])}` : ''}.`, '');
    }
    const members = strings(principal['members']);
    if (principal['type'] === 'group') {
      lines.push(`Members: ${members.join(', ') || 'none known'}.`, '');
    }
    lines.push(...table(['role', 'pattern', 'via'], list(principal['grants']).map(fields).map((grant) => [grant['role'], grant['pattern'], grant['via']])));
    const tokens = list(principal['tokens']).map(fields);
    if (tokens.length > 0) {
      lines.push('', ...table(['token', 'kind', 'description', 'expires', 'last used', 'from', 'flags'], tokens.map((token) => [token['id'], token['kind'], token['description'], minute(token['expiresAt']), minute(token['lastUsedAt']), token['lastUsedFrom'], strings(token['flags']).join(', ')])));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A CSV field (RFC 4180), with a leading formula character neutralised for spreadsheets. */
const csvField = (value: unknown): string => {
  const shown = value === null || value === undefined ? '' : Array.isArray(value) ? value.map(text).join(' ') : text(value);
  const safe = /^[=+\-@\t\r]/.test(shown) ? `'${shown}` : shown;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const REVIEW_CSV_HEADER = ['principal', 'principalType', 'entry', 'role', 'pattern', 'via', 'tokenId', 'tokenKind', 'description', 'issuedAt', 'expiresAt', 'lastUsedAt', 'lastUsedFrom', 'flags'];

/** The access review as CSV: one row per effective grant and per live token, with the flags that apply to it. */
export function reviewCsv(body: unknown): string {
  const rows: unknown[][] = [REVIEW_CSV_HEADER];
  for (const principal of list(fields(body)['principals']).map(fields)) {
    const flags = strings(principal['flags']).filter((flag) => ['admin', 'left-directory', 'pattern-matches-nothing'].includes(flag));
    for (const grant of list(principal['grants']).map(fields)) {
      rows.push([principal['name'], principal['type'], 'grant', grant['role'], grant['pattern'], grant['via'], '', '', '', '', '', '', '', grant['role'] === 'admin' ? 'admin' : '']);
    }
    for (const token of list(principal['tokens']).map(fields)) {
      rows.push([principal['name'], principal['type'], 'token', '', '', '', token['id'], token['kind'], token['description'], token['issuedAt'], token['expiresAt'], token['lastUsedAt'], token['lastUsedFrom'], strings(token['flags'])]);
    }
    if (list(principal['grants']).length === 0 && list(principal['tokens']).length === 0) {
      rows.push([principal['name'], principal['type'], 'principal', '', '', '', '', '', '', '', '', '', '', flags]);
    }
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}

/** What `--revoke-unused` did. */
export function revokedText(body: unknown): string {
  const answer = fields(body);
  const revoked = list(answer['revoked']).map(fields);
  const failed = list(answer['failed']).map(fields);
  const lines = [
    ...revoked.map((token) => `revoked ${text(token['tokenId'])} (${text(token['principal'])}, ${text(token['flag'])})`),
    ...failed.map((token) => `NOT revoked ${text(token['tokenId'])}: ${text(token['message'])}`),
    `${revoked.length} token(s) revoked${failed.length > 0 ? `, ${failed.length} failed` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The tokens a review would revoke, as the confirmation lists them. */
export function revocationQuestion(body: unknown): { readonly count: number; readonly text: string } {
  const findings = list(fields(body)['findings']).map(fields).filter((finding) => typeof finding['tokenId'] === 'string' && (finding['flag'] === 'never-used' || finding['flag'] === 'unused'));
  const lines = findings.map((finding) => `  ${text(finding['tokenId'])} ${text(finding['principal'])}: ${text(finding['detail'])}`);
  return { count: findings.length, text: `${lines.join('\n')}\nRevoke these ${findings.length} token(s)? They stop working at once. [y/N] ` };
}

/** The security report as Markdown. */
export function securityMarkdown(body: unknown): string {
  const report = fields(body);
  const failed = fields(report['failedSignIns']);
  const rules = fields(report['rules']);
  const counts = fields(report['counts']);
  const lines = [
    `# Security report ${minute(report['since'])} – ${minute(report['until'])}`,
    '',
    ...table(['finding', 'count'], ['failedSignIns', 'denials', 'emergencyTokenUses', 'heavyDownloads', 'newAddresses'].map((name) => [name, counts[name] ?? 0])),
    '',
    '## Failed sign-ins by user',
    '',
    ...table(['user', 'failures', 'addresses'], list(failed['byUser']).map(fields).map((row) => [row['actor'], row['count'], strings(row['addresses']).join(', ')])),
    '',
    '## Failed sign-ins by address',
    '',
    ...table(['address', 'failures', 'users'], list(failed['byAddress']).map(fields).map((row) => [row['clientAddress'], row['count'], strings(row['users']).join(', ')])),
    '',
    '## Denials (401 and 403)',
    '',
    ...table(['actor', 'address', '401', '403', 'reasons'], list(report['denials']).map(fields).map((row) => [row['actor'], row['clientAddress'], row['unauthorized'], row['forbidden'], strings(row['reasons']).join(', ')])),
    '',
    '## Emergency-token uses',
    '',
    ...table(['time', 'actor', 'token', 'address', 'service', 'project', 'file', 'status'], list(report['emergencyTokenUses']).map(fields).map((row) => [minute(row['time']), row['actor'], row['tokenId'], row['clientAddress'], row['service'], row['project'], row['filename'], row['status']])),
    '',
    '## Tokens downloading far more than their history',
    '',
    `Rule: ${text(rules['heavyDownloads'])}.`,
    '',
    ...table(['token', 'actor', 'downloads', 'average before'], list(report['heavyDownloads']).map(fields).map((row) => [row['tokenId'], row['actor'], row['downloads'], row['previousAverage']])),
    '',
    '## Tokens used from a new address',
    '',
    `Rule: ${text(rules['newAddress'])}.`,
    '',
    ...table(['token', 'actor', 'address', 'first seen', 'uses'], list(report['newAddresses']).map(fields).map((row) => [row['tokenId'], row['actor'], row['clientAddress'], minute(row['firstSeen']), row['uses']])),
  ];
  return `${lines.map(printable).join('\n')}\n`;
}
