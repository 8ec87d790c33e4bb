/**
 * The `quiver` CLI as an operator runs it: the workspace bin (node_modules/.bin/quiver, and `npx
 * quiver` from the checkout) as a real process against the running embedded registry. It finds
 * the server and the administrator's token the way the server was started (QUIVER_PORT,
 * QUIVER_DATA_DIR), refuses unknown options and extra arguments before sending anything (exit 2,
 * nothing changes on the server), names the URL and the cause when it cannot connect (exit 3),
 * and prints JSON with --json.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { execute, show, type Ran } from './support/cli.js';
import { freePort } from './support/process.js';
import { publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface ProjectJson {
  readonly urls: readonly { readonly filename: string; readonly yanked: boolean; readonly yanked_reason: string | null }[];
}

const bin = join(root, 'node_modules', '.bin', 'quiver');

describe('the quiver CLI against the running registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-cli-'));
  let registry: EmbeddedRegistry;
  /** Found the way the server was started: its port and its data directory, nothing else. */
  let discovery: Record<string, string>;
  const quiver = (...args: string[]): Promise<Ran> => execute(bin, args, discovery);

  const project = async (): Promise<ProjectJson> => {
    const response = await fetch(`${registry.base}/pypi/cli-demo/json`, { headers: { authorization: registry.auth } });
    assert.equal(response.status, 200);
    return (await response.json()) as ProjectJson;
  };
  const yanks = async (): Promise<[boolean, string | null][]> => (await project()).urls.map((file) => [file.yanked, file.yanked_reason]);

  before(async () => {
    registry = await startEmbedded(work, { QUIVER_GC_INTERVAL_SECONDS: '0' });
    discovery = { QUIVER_PORT: new URL(registry.base).port, QUIVER_DATA_DIR: registry.dataDir };
    assert.equal((await publishWheel(registry.base, registry.auth, 'cli-demo', '1.0')).response.status, 200);
  });

  after(async () => {
    const code = await registry.stop();
    assert.doesNotMatch(registry.started.output(), new RegExp(registry.token), 'the token reaches no log');
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('is a bin of the workspace: npx quiver works from the checkout', async () => {
    const help = await execute('npx', ['--yes=false', 'quiver', '--help'], {});
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /^Usage: quiver \[options\] \[command\]/);
    const settings = await execute('npx', ['--yes=false', 'quiver', 'settings', 'cli-demo'], discovery);
    assert.equal(settings.code, 0, show(settings));
    assert.equal(settings.stdout, '{"closeReleasesAfter":null,"nonVolatile":false,"uploadLimit":null}\n');
  });

  it('finds the server from QUIVER_PORT and the token in QUIVER_DATA_DIR, with no QUIVER_URL or QUIVER_TOKEN', async () => {
    const settings = await quiver('settings', 'cli-demo');
    assert.equal(settings.code, 0, show(settings));
    assert.equal(settings.stdout, '{"closeReleasesAfter":null,"nonVolatile":false,"uploadLimit":null}\n');
    const relativeDir = await execute(bin, ['settings', 'cli-demo'], { ...discovery, QUIVER_DATA_DIR: relative(work, registry.dataDir) }, work);
    assert.equal(relativeDir.code, 0, `QUIVER_DATA_DIR relative to the working directory, as the server reads it\n${show(relativeDir)}`);
  });

  it('prints help for every command with -h and --help, exit 0', async () => {
    const commands = [
      ['yank'], ['unyank'], ['delete'], ['settings'], ['gc'], ['reconcile'], ['grant'], ['revoke'], ['principal'],
      ['token', 'create'], ['token', 'list'], ['token', 'rotate'], ['token', 'revoke'], ['login'],
    ];
    const cases = commands.flatMap((command) => ['-h', '--help'].map((flag) => ({ command, flag })));
    const runs: { command: string[]; flag: string; ran: Ran }[] = [];
    for (let at = 0; at < cases.length; at += 4) {
      runs.push(...(await Promise.all(cases.slice(at, at + 4).map(async ({ command, flag }) => ({ command, flag, ran: await execute(bin, [...command, flag], {}) })))));
    }
    for (const { command, flag, ran } of runs) {
      assert.equal(ran.code, 0, `${command.join(' ')} ${flag}: ${show(ran)}`);
      assert.match(ran.stdout, new RegExp(`^Usage: quiver ${command.join(' ')} `), `${command.join(' ')} ${flag}`);
      assert.match(ran.stdout, /Exit codes: 0 done; 1 /);
    }
    const top = await execute(bin, ['--help'], {});
    assert.equal(top.code, 0, show(top));
    assert.match(top.stdout, /QUIVER_URL[\s\S]*QUIVER_PORT[\s\S]*QUIVER_TOKEN_FILE[\s\S]*QUIVER_DATA_DIR/);
  });

  it('refuses a mistyped option or an extra argument with the nearest option, exit 2, and changes nothing', async () => {
    const before = await yanks();
    assert.deepEqual(before, [[false, null]]);
    const mistyped = await quiver('yank', 'cli-demo', '1.0', '--reson', 'broken build');
    assert.equal(mistyped.code, 2, show(mistyped));
    assert.equal(mistyped.stdout, '');
    assert.match(mistyped.stderr, /^quiver: unknown option '--reson'\n\(Did you mean --reason\?\)/);
    const extra = await quiver('yank', 'cli-demo', '1.0', 'broken', 'build');
    assert.equal(extra.code, 2, show(extra));
    assert.match(extra.stderr, /too many arguments for 'yank'/);
    assert.deepEqual(await yanks(), before, 'the release was not yanked');
  });

  it('refuses gc --grace-secs 0 instead of collecting with the default grace', async () => {
    // An orphan older than the default grace (an hour): any GC run would take it.
    const orphan = join(registry.dataDir, 'blobs', 'files', 'ab', 'cd', `abcd${createHash('sha256').update('orphan').digest('hex').slice(4)}`);
    mkdirSync(join(orphan, '..'), { recursive: true });
    writeFileSync(orphan, 'orphan');
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(orphan, old, old);
    const refused = await quiver('gc', '--grace-secs', '0');
    assert.equal(refused.code, 2, show(refused));
    assert.match(refused.stderr, /unknown option '--grace-secs'\n\(Did you mean --grace-seconds\?\)/);
    assert.ok(existsSync(orphan), 'no GC ran');
    const ran = await quiver('gc', '--grace-seconds', '0', '--json');
    assert.equal(ran.code, 0, show(ran));
    const report = JSON.parse(ran.stdout) as { graceSeconds: number; removed: string[] };
    assert.equal(report.graceSeconds, 0);
    assert.ok(!existsSync(orphan), 'the GC the right option asked for took the orphan');
  });

  it('names the URL and the cause when it cannot connect, exit 3', async () => {
    const closed = await freePort();
    const url = `http://127.0.0.1:${closed}`;
    const ran = await execute(bin, ['reconcile'], { ...discovery, QUIVER_PORT: String(closed) });
    assert.equal(ran.code, 3, show(ran));
    assert.equal(ran.stderr, `quiver: cannot reach ${url}: connect ECONNREFUSED 127.0.0.1:${closed}\n`);
    const overridden = await quiver('--url', url, '--json', 'reconcile');
    assert.equal(overridden.code, 3, show(overridden));
    assert.deepEqual(JSON.parse(overridden.stderr), {
      ok: false,
      error: 'unreachable',
      message: `cannot reach ${url}: connect ECONNREFUSED 127.0.0.1:${closed}`,
      url,
      cause: `connect ECONNREFUSED 127.0.0.1:${closed}`,
    });
    for (const output of [ran.stderr, overridden.stderr]) {
      assert.ok(!output.includes(registry.token), 'the token is in no message');
    }
  });

  it('says which token file is missing and how to get one, exit 2, no stack trace', async () => {
    const nowhere = join(work, 'nowhere');
    const ran = await execute(bin, ['reconcile'], { ...discovery, QUIVER_DATA_DIR: nowhere });
    assert.equal(ran.code, 2, show(ran));
    assert.match(ran.stderr, new RegExp(`^quiver: no token: ${join(nowhere, 'admin-token').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist\\.`));
    assert.match(ran.stderr, /QUIVER_TOKEN/);
    assert.match(ran.stderr, /quiver login/);
    assert.doesNotMatch(ran.stderr, /\n\s+at /);
  });

  it('prints JSON with --json: the server’s answer, {"ok":true} for none, errors on standard error', async () => {
    const parse = (ran: Ran): unknown => {
      assert.equal(ran.code, 0, show(ran));
      assert.equal(ran.stderr, '');
      return JSON.parse(ran.stdout);
    };
    assert.deepEqual(parse(await quiver('settings', 'cli-demo', '--json')), { closeReleasesAfter: null, nonVolatile: false, uploadLimit: null });
    assert.deepEqual(parse(await quiver('--json', 'yank', 'cli-demo', '1.0', '--reason', 'broken build')), { changed: true });
    assert.deepEqual(await yanks(), [[true, 'broken build']]);
    assert.deepEqual(parse(await quiver('unyank', 'cli-demo', '1.0', '--json')), { changed: true });
    assert.deepEqual(parse(await quiver('grant', 'cli-ci', 'reader', 'cli-*', '--json')), { ok: true });
    const issued = parse(await quiver('token', 'create', 'cli-ci', '--description', 'CI', '--json')) as { id: string; token: string; principal: string };
    assert.equal(issued.principal, 'cli-ci');
    const read = await fetch(`${registry.base}/simple/cli-demo/`, { headers: { authorization: `Basic ${Buffer.from(`__token__:${issued.token}`).toString('base64')}` } });
    assert.equal(read.status, 200, 'the issued token works');
    const shown = parse(await quiver('principal', 'cli-ci', '--json')) as { grants: unknown[]; tokens: { id: string }[] };
    assert.deepEqual(shown.grants, [{ role: 'reader', pattern: 'cli-*' }]);
    assert.deepEqual(shown.tokens.map((token) => token.id), [issued.id]);
    assert.deepEqual(parse(await quiver('token', 'revoke', issued.id, '--json')), { ok: true });
    assert.deepEqual(parse(await quiver('revoke', 'cli-ci', 'reader', 'cli-*', '--json')), { ok: true });
    const reconcile = parse(await quiver('reconcile', '--json')) as { checked: number; missing: unknown[]; corrupt: unknown[] };
    assert.ok(reconcile.checked >= 1);
    assert.deepEqual([reconcile.missing, reconcile.corrupt], [[], []]);

    const refused = await quiver('settings', 'no-such-project', '--json');
    assert.equal(refused.code, 1, show(refused));
    assert.equal(refused.stdout, '');
    const problem = JSON.parse(refused.stderr) as { ok: boolean; error: string; status: number; message: string };
    assert.deepEqual([problem.ok, problem.error, problem.status, problem.message], [false, 'refused', 404, '404 There is no such project.']);
  });

  it('prints an issued token alone on standard output and never repeats a secret', async () => {
    const issued = await quiver('token', 'create', 'cli-dev', '--description', 'laptop');
    assert.equal(issued.code, 0, show(issued));
    assert.match(issued.stdout, /^qvr_[0-9A-Za-z]+\n$/, 'the token alone on standard output');
    assert.match(issued.stderr, /^issued token tk_\w+ .*for cli-dev; it is shown this once:\n$/);
    const token = issued.stdout.trim();
    const listed = await quiver('principal', 'cli-dev');
    assert.equal(listed.code, 0, show(listed));
    for (const output of [issued.stderr, listed.stdout, listed.stderr]) {
      assert.ok(!output.includes(token) && !output.includes(registry.token), 'no secret but the one issued, once');
    }
    const unauthorized = await execute(bin, ['principal', 'cli-dev'], { QUIVER_PORT: discovery['QUIVER_PORT'] ?? '', QUIVER_TOKEN: 'qvr_not-a-real-token' });
    assert.equal(unauthorized.code, 1, show(unauthorized));
    assert.match(unauthorized.stderr, /^quiver: 401 .*\(the token from QUIVER_TOKEN was not accepted\)\n$/);
    assert.ok(!unauthorized.stderr.includes('qvr_not-a-real-token'), 'the refused token is not shown');
  });

  it('issues, lists, rotates and revokes tokens of each kind with restrictions, and grants to directory groups', async () => {
    const succeeds = (ran: Ran): Ran => {
      assert.equal(ran.code, 0, show(ran));
      return ran;
    };
    const reads = async (token: string): Promise<number> =>
      (await fetch(`${registry.base}/simple/cli-demo/`, { headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` } })).status;
    succeeds(await quiver('grant', 'cli-pipeline', 'reader', 'cli-*'));
    const created = JSON.parse(
      succeeds(
        await quiver('token', 'create', 'cli-pipeline', '--kind', 'ci', '--expires', '30d', '--packages', 'cli-*', '--permissions', 'install', '--uses', '5', '--cidr', '127.0.0.0/8', '--description', 'pipeline', '--json'),
      ).stdout,
    ) as { id: string; token: string; kind: string; packages: string[]; permissions: string[]; usesAllowed: number; cidrs: string[] };
    assert.deepEqual([created.kind, created.packages, created.permissions, created.usesAllowed, created.cidrs], ['ci', ['cli-*'], ['install'], 5, ['127.0.0.0/8']]);
    assert.equal(await reads(created.token), 200, 'the restricted token reads what it may, from loopback');

    const emergency = await quiver('token', 'create', 'cli-pipeline', '--kind', 'emergency', '--expires', '2h');
    assert.equal(emergency.code, 1, show(emergency));
    assert.match(emergency.stderr, /^quiver: 400 An emergency token needs a reason/, 'the server is the authority on what a kind needs');
    const tooLong = await quiver('token', 'create', 'cli-pipeline', '--kind', 'temporary', '--expires', '2d');
    assert.equal(tooLong.code, 1, show(tooLong));
    assert.match(tooLong.stderr, /^quiver: 400 A temporary token lives at most/);
    const brief = succeeds(await quiver('token', 'create', 'cli-pipeline', '--kind', 'temporary', '--expires', '1h'));
    const briefId = /^issued token (tk_[0-9a-f]{16}) \(temporary, expires /.exec(brief.stderr)?.[1];
    assert.ok(briefId, brief.stderr);

    const table = succeeds(await quiver('token', 'list', 'cli-pipeline')).stdout;
    const rows = table.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^ID\s+PRINCIPAL\s+KIND\s+EXPIRES\s+LAST USED\s+RESTRICTIONS$/);
    const row = rows.find((line) => line.startsWith(created.id)) ?? '';
    assert.match(row, /\scli-pipeline\s+ci\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s.*packages cli-\*; permissions install; uses [0-4] of 5 left; from 127\.0\.0\.0\/8$/);
    assert.ok(rows.some((line) => line.startsWith(briefId)), table);
    const expiring = JSON.parse(succeeds(await quiver('token', 'list', '--expiring', '1d', '--json')).stdout) as { tokens: { id: string }[] };
    assert.deepEqual(expiring.tokens.map((token) => token.id), [briefId], 'only the token that expires within a day');
    for (const output of [table, JSON.stringify(expiring)]) {
      assert.ok(!output.includes(created.token) && !output.includes(registry.token), 'a listing never shows a secret');
    }

    const rotated = succeeds(await quiver('token', 'rotate', created.id, '--grace', '1h'));
    assert.match(rotated.stdout, /^qvr_[0-9A-Za-z]+\n$/);
    assert.match(rotated.stderr, new RegExp(`^rotated token ${created.id} \\(ci, expires .*\\) of cli-pipeline; the old secret works until .*; the new one is shown this once:\\n$`));
    const renewed = rotated.stdout.trim();
    assert.deepEqual([await reads(created.token), await reads(renewed)], [200, 200], 'both secrets work during the grace');
    const again = JSON.parse(succeeds(await quiver('token', 'rotate', created.id, '--json')).stdout) as { id: string; token: string };
    assert.equal(again.id, created.id);
    assert.deepEqual([await reads(renewed), await reads(again.token)], [401, 200], 'without a grace the previous secret stops at once');
    assert.equal(succeeds(await quiver('token', 'revoke', again.id)).stdout, 'done\n');
    assert.equal(await reads(again.token), 401);

    assert.deepEqual(JSON.parse(succeeds(await quiver('grant', 'group:cli-team', 'reader', 'cli-*', '--json')).stdout), { ok: true });
    const group = JSON.parse(succeeds(await quiver('principal', 'group:cli-team', '--json')).stdout) as { principal: string; grants: unknown[] };
    assert.deepEqual([group.principal, group.grants], ['group:cli-team', [{ role: 'reader', pattern: 'cli-*' }]]);
    assert.equal(succeeds(await quiver('revoke', 'group:cli-team', 'reader', 'cli-*')).stdout, 'done\n');
  });
});
