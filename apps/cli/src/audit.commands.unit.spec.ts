import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditExportPlan, auditTailPlan, auditVerifyPlan, csvField, CSV_COLUMNS, timeOption } from './audit.commands.js';
import { parseCommandLine } from './cli.program.js';
import { succeeded } from './outcome.js';

const entry = (seq: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  seq,
  factId: `f-${seq}`,
  time: '2026-12-07T10:00:00.000Z',
  service: 'index',
  action: 'file.download',
  outcome: 'success',
  actor: 'alice',
  tokenId: 'tk_0123456789abcdef',
  clientAddress: '10.0.0.1',
  userAgent: 'pip/24.0',
  project: 'acme',
  version: '1.0',
  filename: 'acme-1.0.tar.gz',
  status: 200,
  reason: null,
  details: { bytes: 10 },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  ...overrides,
});

describe('quiver audit', () => {
  it('reads --since and --until as a duration back from now or an ISO time', () => {
    const now = (): Date => new Date('2026-12-07T12:00:00Z');
    assert.equal(timeOption(now)('7d'), '2026-11-30T12:00:00.000Z');
    assert.equal(timeOption(now)('90m'), '2026-12-07T10:30:00.000Z');
    assert.equal(timeOption(now)('2026-12-01'), '2026-12-01T00:00:00.000Z');
    assert.throws(() => timeOption(now)('last week'), /7d, 12h or 30m, or an ISO 8601 time/);
    const refused = parseCommandLine(['audit', 'export', '--since', 'yesterday']);
    assert.equal(refused.kind === 'exit' && refused.code, 2);
    assert.equal(parseCommandLine(['audit', 'export', '--format', 'xml']).kind, 'exit');
  });

  it('exports page after page with the filters, until the server says there is no next page', () => {
    const plan = auditExportPlan({ since: '2026-12-01T00:00:00.000Z', actor: 'alice', format: 'csv' });
    assert.equal(plan.request.path, '/api/audit?actor=alice&since=2026-12-01T00%3A00%3A00.000Z&limit=1000');
    assert.equal(plan.paging?.next({ entries: [entry(1)], next: '1000' })?.request.path, '/api/audit?actor=alice&since=2026-12-01T00%3A00%3A00.000Z&limit=1000&after=1000');
    assert.equal(plan.paging?.next({ entries: [entry(1)], next: null }), undefined);
  });

  it('writes CSV with one header row and RFC 4180 quoting', () => {
    const plan = auditExportPlan({ format: 'csv' });
    const first = plan.show({ entries: [entry(1, { userAgent: 'curl "8", really\nyes', details: { a: 1, b: 'x,y' } })], next: '1' }, 0).stdout ?? '';
    const second = plan.show({ entries: [entry(2, { tokenId: null })], next: null }, 1).stdout ?? '';
    const lines = `${first}${second}`.split('\r\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.ok(['time', 'actor', 'action', 'outcome', 'project', 'tokenId', 'clientAddress'].every((column) => (CSV_COLUMNS as readonly string[]).includes(column)));
    assert.match(first, /,"curl ""8"", really\nyes",/);
    assert.match(first, /,"\{""a"":1,""b"":""x,y""\}",/);
    assert.ok(!second.startsWith('seq,'), 'the header only once');
    assert.match(second, /^2,2026-12-07T10:00:00.000Z,alice,file.download,success,index,acme,1.0,acme-1.0.tar.gz,,10.0.0.1,/);
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField(null), '');
  });

  it('writes JSON lines by default', () => {
    const out = auditExportPlan({}).show({ entries: [entry(1), entry(2)], next: null }, 0).stdout ?? '';
    assert.deepEqual(out.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq), [1, 2]);
  });

  it('tails the latest n oldest first, and with --follow polls after the newest seq', () => {
    const plan = auditTailPlan({ lines: 2, follow: true });
    assert.equal(plan.request.path, '/api/audit?order=desc&limit=2');
    const shown = plan.show({ entries: [entry(9), entry(8, { outcome: 'denied', reason: 'invalid-token' })], next: '8' }, 0).stdout ?? '';
    assert.deepEqual(shown.trim().split('\n').map((line) => line.split('  ')[0]), ['8', '9']);
    assert.match(shown, /denied {2}acme 1.0 acme-1.0.tar.gz {2}tk_0123456789abcdef {2}10.0.0.1 {2}\(invalid-token\)/);
    const next = plan.paging?.next({ entries: [entry(9), entry(8)], next: '8' });
    assert.deepEqual(next, { request: { method: 'GET', path: '/api/audit?after=9&limit=1000' }, delayMs: 1000 });
    assert.equal(plan.paging?.next({ entries: [], next: null })?.request.path, '/api/audit?after=9&limit=1000', 'nothing new: ask again after the same seq');
    assert.equal(auditTailPlan({}).paging, undefined, 'without --follow: one request');
  });

  it('verify exits 0 with the count, or 1 naming the first broken entry', () => {
    const plan = auditVerifyPlan();
    assert.deepEqual(succeeded(plan, { ok: true, count: 12 }, false), { code: 0, stdout: 'audit log verified: 12 entries, hash chain intact\n', stderr: '' });
    const broken = succeeded(plan, { ok: false, count: 4, firstBroken: { seq: 5, reason: 'reordered', message: 'entry 5 is out of order' } }, false);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /first broken entry 5 \(reordered\): entry 5 is out of order/);
  });
});
