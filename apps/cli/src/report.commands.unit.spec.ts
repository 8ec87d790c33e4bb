import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from './cli.program.js';
import { REVIEW_CSV_HEADER, reviewCsv, reviewMarkdown, revocationQuestion, securityMarkdown } from './report-render.js';
import { run } from './run.js';

const plan = (...argv: string[]) => {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'run', parsed.kind === 'exit' ? parsed.stderr : '');
  return parsed.plan;
};
const usage = (...argv: string[]): string => {
  const parsed = parseCommandLine(argv);
  assert.ok(parsed.kind === 'exit' && parsed.code === 2, argv.join(' '));
  return parsed.stderr;
};

const REVIEW = {
  generatedAt: '2026-12-01T12:00:00.000Z',
  unusedDays: 90,
  expiringWithinDays: 14,
  directoryCheckedAt: null,
  projectsChecked: true,
  principals: [
    { name: 'alice', type: 'user', directory: { username: 'alice', groups: ['dev'], leftAt: null }, members: [], grants: [{ role: 'developer', pattern: 'acme-*', via: 'group:dev' }], tokens: [{ id: 'tk_1', kind: 'personal', description: '=cmd|x', issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: null, lastUsedFrom: null, flags: ['never-used'] }], flags: ['never-used'] },
    { name: 'group:dev', type: 'group', directory: null, members: ['alice'], grants: [{ role: 'developer', pattern: 'acme-*', via: 'direct' }], tokens: [], flags: [] },
  ],
  findings: [{ flag: 'never-used', principal: 'alice', tokenId: 'tk_1', role: null, pattern: null, detail: 'personal token tk_1 was issued 334 days ago and never used' }],
  counts: { 'never-used': 1, unused: 0, expiring: 0, admin: 0, 'left-directory': 0, 'pattern-matches-nothing': 0 },
};

describe('quiver access review / security report', () => {
  it('asks the auth and audit services, with the options as query parameters', () => {
    assert.deepEqual(plan('access', 'review').request, { method: 'GET', path: '/api/auth/access-review' });
    assert.deepEqual(plan('access', 'review', '--unused', '30d', '--format', 'csv').request, { method: 'GET', path: '/api/auth/access-review?unused=30d' });
    assert.deepEqual(plan('security', 'report', '--since', '2026-12-01').request, { method: 'GET', path: '/api/audit/security-report?since=2026-12-01' });
    assert.deepEqual(plan('security', 'report').request, { method: 'GET', path: '/api/audit/security-report' });
  });

  it('revokes after a confirmation, or at once with --yes', () => {
    const asking = plan('access', 'review', '--revoke-unused');
    assert.deepEqual(asking.request, { method: 'POST', path: '/api/auth/access-review/revoke-unused' });
    assert.deepEqual(asking.confirm?.preview, { method: 'GET', path: '/api/auth/access-review' });
    assert.equal(plan('access', 'review', '--revoke-unused', '--yes').confirm, undefined);
  });

  it('refuses bad values before sending anything', () => {
    assert.match(usage('access', 'review', '--format', 'xml'), /xml/);
    assert.match(usage('access', 'review', '--unused', '3w'), /3w/);
    assert.match(usage('security', 'report', '--since', 'last-week'), /last-week/);
    assert.match(usage('security', 'report', '--format', 'csv'), /csv/);
  });

  it('refuses --revoke-unused without --yes when standard input is not a terminal, sending nothing', async () => {
    const io = { env: { QUIVER_URL: 'http://127.0.0.1:9', QUIVER_TOKEN: 'pypi-never-sent' }, cwd: '/', readFile: () => Promise.reject(new Error('no file')), readStdin: () => Promise.resolve(''), stdinIsTerminal: false };
    const result = await run(['access', 'review', '--revoke-unused'], { ...io, ask: () => Promise.reject(new Error('must not ask')) });
    assert.deepEqual(result, { code: 2, stdout: '', stderr: 'quiver: --revoke-unused asks for a confirmation on a terminal: run it on one, or add --yes.\n' });
  });

  it('prints the review as Markdown and CSV a spreadsheet cannot execute', () => {
    const markdown = reviewMarkdown(REVIEW);
    assert.match(markdown, /^# Access review 2026-12-01 12:00Z\n/);
    assert.match(markdown, /## Tokens never used\n\n- personal token tk_1 was issued 334 days ago and never used\n/);
    assert.match(markdown, /### alice \(user\) — never-used\n\nDirectory user alice, groups: dev\.\n\n\| role \| pattern \| via \|\n\|---\|---\|---\|\n\| developer \| acme-\* \| group:dev \|/);
    assert.match(markdown, /\| tk_1 \| personal \| =cmd\\\|x \| 2027-01-01 00:00Z \| never \| – \| never-used \|/);
    const csv = reviewCsv(REVIEW).split('\n');
    assert.equal(csv[0], REVIEW_CSV_HEADER.join(','));
    assert.equal(csv[2], "alice,user,token,,,,tk_1,personal,'=cmd|x,2026-01-01T00:00:00.000Z,2027-01-01T00:00:00.000Z,,,never-used");
    assert.equal(revocationQuestion(REVIEW).count, 1);
  });

  it('prints the security report as Markdown with a table per section', () => {
    const markdown = securityMarkdown({
      since: '2026-12-22T00:00:00.000Z',
      until: '2026-12-29T00:00:00.000Z',
      rules: { heavyDownloads: 'rule H', newAddress: 'rule N' },
      failedSignIns: { byUser: [{ actor: 'alice', count: 6, addresses: ['10.1.1.1'] }], byAddress: [] },
      denials: [],
      emergencyTokenUses: [],
      heavyDownloads: [{ tokenId: 'tk_s', actor: 'eve', downloads: 60, previousAverage: 2 }],
      newAddresses: [],
      counts: { failedSignIns: 6, denials: 0, emergencyTokenUses: 0, heavyDownloads: 1, newAddresses: 0 },
    });
    assert.match(markdown, /^# Security report 2026-12-22 00:00Z – 2026-12-29 00:00Z\n/);
    assert.match(markdown, /## Failed sign-ins by user\n\n\| user \| failures \| addresses \|\n\|---\|---\|---\|\n\| alice \| 6 \| 10\.1\.1\.1 \|/);
    assert.match(markdown, /## Failed sign-ins by address\n\n_none_\n/);
    assert.match(markdown, /Rule: rule H\.\n\n\| token \| actor \| downloads \| average before \|\n\|---\|---\|---\|---\|\n\| tk_s \| eve \| 60 \| 2 \|/);
  });
});
