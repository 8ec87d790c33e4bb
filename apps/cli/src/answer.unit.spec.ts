import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outcomeOf } from './answer.js';
import { parseCommandLine } from './cli.program.js';
import type { Reply } from './http-call.js';
import type { CommandPlan } from './plan.js';

const planOf = (...argv: string[]): CommandPlan => {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'run');
  return parsed.plan;
};

const answered = (status: number, body?: unknown, headers: { contentType?: string; retryAfter?: string; location?: string; statusText?: string } = {}): Reply => ({
  kind: 'answered',
  status,
  statusText: headers.statusText ?? '',
  contentType: headers.contentType ?? (body === undefined ? '' : 'application/json'),
  retryAfter: headers.retryAfter ?? null,
  location: headers.location ?? null,
  text: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
});

const human = { url: 'http://127.0.0.1:8080', tokenSource: '/srv/.quiver/admin-token', json: false };
const json = { ...human, json: true };
const TOKEN = 'qvr_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM';

describe('quiver CLI: what an answer prints, and the exit code', () => {
  it('prints each command’s result for a person', () => {
    assert.deepEqual(outcomeOf(planOf('yank', 'p', '1.0'), answered(200, { changed: true }), human), { code: 0, stdout: 'done\n', stderr: '' });
    assert.deepEqual(outcomeOf(planOf('unyank', 'p', '1.0'), answered(200, { changed: false }), human), { code: 0, stdout: 'nothing to change\n', stderr: '' });
    assert.deepEqual(outcomeOf(planOf('grant', 'a', 'reader', '*'), answered(204), human), { code: 0, stdout: 'done\n', stderr: '' });
    assert.deepEqual(outcomeOf(planOf('settings', 'p'), answered(200, { closeReleasesAfter: null }), human).stdout, '{"closeReleasesAfter":null}\n');
    assert.deepEqual(
      outcomeOf(planOf('settings', 'p', '--close-releases-after', '1s'), answered(200, { changed: false, settings: { closeReleasesAfter: '1s' } }), human).stdout,
      '{"closeReleasesAfter":"1s"} (unchanged)\n',
    );
    assert.deepEqual(outcomeOf(planOf('gc', '--grace-seconds', '0'), answered(200, { graceSeconds: 0, scanned: 3, kept: 2, removed: ['files/ab/cd/abcd'] }), human), {
      code: 0,
      stdout: 'removed files/ab/cd/abcd\n1 orphan blob(s) removed, 2 of 3 kept (grace 0 s)\n',
      stderr: '',
    });
  });

  it('reconcile exits 1 on findings, with and without --json', () => {
    const clean = { checked: 4, missing: [], corrupt: [] };
    assert.deepEqual(outcomeOf(planOf('reconcile'), answered(200, clean), human), { code: 0, stdout: '4 object(s) checked, 0 missing, 0 corrupt\n', stderr: '' });
    const damaged = {
      checked: 4,
      missing: [{ project: 'demo', filename: 'demo-1.0.tar.gz', blobKey: 'files/aa/bb/x' }],
      corrupt: [{ project: 'demo', filename: 'demo-1.0-py3-none-any.whl.metadata', blobKey: 'metadata/cc/dd/y' }],
    };
    assert.deepEqual(outcomeOf(planOf('reconcile'), answered(200, damaged), human), {
      code: 1,
      stdout: 'MISSING demo demo-1.0.tar.gz files/aa/bb/x\nCORRUPT demo demo-1.0-py3-none-any.whl.metadata metadata/cc/dd/y\n4 object(s) checked, 1 missing, 1 corrupt\n',
      stderr: '',
    });
    const asJson = outcomeOf(planOf('reconcile'), answered(200, damaged), json);
    assert.equal(asJson.code, 1);
    assert.deepEqual(JSON.parse(asJson.stdout), damaged);
  });

  it('with --json prints the server’s JSON, or {"ok":true} for a 204', () => {
    const yank = outcomeOf(planOf('yank', 'p', '1.0'), answered(200, { changed: true }), json);
    assert.deepEqual({ ...yank, stdout: JSON.parse(yank.stdout) as unknown }, { code: 0, stdout: { changed: true }, stderr: '' });
    assert.deepEqual(JSON.parse(outcomeOf(planOf('token', 'revoke', 'tk_1'), answered(204), json).stdout), { ok: true });
    const listed = { tokens: [{ id: 'tk_1', principal: 'alice', kind: 'ci' }] };
    assert.deepEqual(JSON.parse(outcomeOf(planOf('token', 'list'), answered(200, listed), json).stdout), listed);
  });

  it('prints an issued secret alone on standard output, once, and what it is on standard error', () => {
    const created = outcomeOf(planOf('token', 'create', 'ci-payments'), answered(201, { id: 'tk_1', token: TOKEN, principal: 'ci-payments', kind: 'ci', expiresAt: '2026-06-01T00:00:00.000Z' }), human);
    assert.deepEqual(created, { code: 0, stdout: `${TOKEN}\n`, stderr: 'issued token tk_1 (ci, expires 2026-06-01T00:00:00.000Z) for ci-payments; it is shown this once:\n' });
    const rotated = outcomeOf(
      planOf('token', 'rotate', 'tk_1', '--grace', '1h'),
      answered(201, { id: 'tk_1', token: TOKEN, principal: 'alice', kind: 'personal', expiresAt: '2026-06-01T00:00:00.000Z', previousValidUntil: '2026-05-01T11:00:00.000Z' }),
      human,
    );
    assert.equal(rotated.stdout, `${TOKEN}\n`);
    assert.match(rotated.stderr, /^rotated token tk_1 \(personal, expires .*\) of alice; the old secret works until 2026-05-01T11:00:00\.000Z; the new one is shown this once:\n$/);
    const login = outcomeOf(planOf('login', '--username', 'alice', '--password-stdin'), answered(201, { id: 'tk_2', token: TOKEN, principal: 'alice', kind: 'personal', expiresAt: '2026-06-01T00:00:00.000Z' }), {
      url: human.url,
      json: false,
    });
    assert.deepEqual(login, { code: 0, stdout: `${TOKEN}\n`, stderr: 'signed in as alice: token tk_2 (personal, expires 2026-06-01T00:00:00.000Z); it is shown this once:\n' });
    for (const result of [created, rotated, login]) {
      assert.ok(!result.stderr.includes(TOKEN), 'the secret is not repeated on standard error');
    }
    const asJson = outcomeOf(planOf('token', 'create', 'ci-payments'), answered(201, { id: 'tk_1', token: TOKEN, principal: 'ci-payments' }), json);
    assert.equal((JSON.parse(asJson.stdout) as { token: string }).token, TOKEN);
    assert.equal(asJson.stderr, '');
  });

  it('a refusal prints the server’s detail and exits 1; with --json, one JSON object on standard error', () => {
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'There is no such project.', code: 'not-found' };
    assert.deepEqual(outcomeOf(planOf('settings', 'nope'), answered(404, problem, { contentType: 'application/problem+json' }), human), {
      code: 1,
      stdout: '',
      stderr: 'quiver: 404 There is no such project.\n',
    });
    const asJson = outcomeOf(planOf('settings', 'nope'), answered(404, problem, { contentType: 'application/problem+json' }), json);
    assert.equal(asJson.code, 1);
    assert.equal(asJson.stdout, '');
    assert.deepEqual(JSON.parse(asJson.stderr), { ok: false, error: 'refused', message: '404 There is no such project.', status: 404, problem });
    assert.equal(outcomeOf(planOf('reconcile'), answered(502, '<html>bad gateway</html>', { contentType: 'text/html', statusText: 'Bad Gateway' }), human).stderr, 'quiver: 502 Bad Gateway\n');
    assert.equal(outcomeOf(planOf('reconcile'), answered(403, 'Not allowed.\n', { contentType: 'text/plain; charset=utf-8', statusText: 'Forbidden' }), human).stderr, 'quiver: 403 Not allowed. (token from /srv/.quiver/admin-token)\n');
  });

  it('names where a refused token came from, never the token; and when to try again', () => {
    const unauthorized = outcomeOf(planOf('reconcile'), answered(401, { status: 401, detail: 'Invalid or non-existent authentication information.' }), human);
    assert.equal(unauthorized.stderr, 'quiver: 401 Invalid or non-existent authentication information. (the token from /srv/.quiver/admin-token was not accepted)\n');
    const forbidden = outcomeOf(planOf('reconcile'), answered(403, { status: 403, detail: "The user 'alice' may not do that." }), { ...human, tokenSource: 'QUIVER_TOKEN' });
    assert.equal(forbidden.stderr, "quiver: 403 The user 'alice' may not do that. (token from QUIVER_TOKEN)\n");
    const limited = outcomeOf(planOf('login', '--username', 'alice', '--password-stdin'), answered(429, { status: 429, detail: 'Too many failed sign-ins.' }, { retryAfter: '60' }), { url: human.url, json: false });
    assert.equal(limited.stderr, 'quiver: 429 Too many failed sign-ins. (try again in 60 s)\n');
    assert.equal(limited.code, 1);
    const moved = outcomeOf(planOf('reconcile'), answered(301, undefined, { location: 'https://registry.internal/api/maintenance/reconcile', statusText: 'Moved Permanently' }), human);
    assert.match(moved.stderr, /^quiver: 301 Moved Permanently \(it redirects to https:\/\/registry\.internal\/api\/maintenance\/reconcile: set QUIVER_URL/);
  });

  it('cannot reach the server: names the URL and the cause, exits 3', () => {
    const refused = outcomeOf(planOf('reconcile'), { kind: 'unreachable', cause: 'connect ECONNREFUSED 127.0.0.1:1' }, { ...human, url: 'http://127.0.0.1:1' });
    assert.deepEqual(refused, { code: 3, stdout: '', stderr: 'quiver: cannot reach http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n' });
    const asJson = outcomeOf(planOf('reconcile'), { kind: 'unreachable', cause: 'connect ECONNREFUSED 127.0.0.1:1' }, { ...json, url: 'http://127.0.0.1:1' });
    assert.equal(asJson.code, 3);
    assert.deepEqual(JSON.parse(asJson.stderr), {
      ok: false,
      error: 'unreachable',
      message: 'cannot reach http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
      url: 'http://127.0.0.1:1',
      cause: 'connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('something that is not the registry answering: exit 1, said so', () => {
    const page = outcomeOf(planOf('reconcile'), answered(200, '<html>welcome</html>', { contentType: 'text/html' }), human);
    assert.equal(page.code, 1);
    assert.match(page.stderr, /answered 200 with text\/html, not Quiver's JSON API/);
    const broken = outcomeOf(planOf('reconcile'), answered(200, '{"checked":', { contentType: 'application/json' }), human);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /malformed JSON/);
  });

  it('control characters from the server do not reach the terminal', () => {
    const sneaky = outcomeOf(planOf('reconcile'), answered(400, { detail: 'bad \u001b[31mred\u001b[0m' }), human);
    assert.equal(sneaky.stderr, 'quiver: 400 bad ?[31mred?[0m\n');
  });
});
