/**
 * Issue 11, Done-when 2 (and BAD-INPUT 61, 62; RELIABILITY §(d) L10, L11, L12, L15, L17 at the
 * service): people sign in with their account in the harness's real slapd, over StartTLS against
 * the test CA, through the CLI and HTTP; pip installs with a username and password; group grants
 * apply, through nested groups too; a membership removed or a user deleted takes effect within the
 * (short) cache window; bad credentials never sign in; failures are limited without binding; a
 * directory that stops answering fails within the timeout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, requireEnv } from '@quiver/shared-testing';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { directorySettings, slapdLog, TestDirectory, withDirectoryStopped, type DirectoryPerson } from './support/directory.js';
import { basicToken, publishWheel } from './support/publish.js';
import { runPython } from './support/python.js';

const root = join(import.meta.dirname, '..', '..', '..');
const WINDOW_SECONDS = 2;
const TIMEOUT_MS = 2_000;

interface SignedIn {
  readonly id: string;
  readonly token: string;
  readonly principal: string;
  readonly kind: string;
  readonly expiresAt: string;
}

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe('LDAP sign-in and group-mapped roles against the real slapd (embedded)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-ldap-'));
  const id = randomBytes(3).toString('hex');
  const directory = new TestDirectory();
  const [project, own] = [`ldap-${id}-lib`, `ldap-${id}-tools`];
  let registry: EmbeddedRegistry;
  let member: DirectoryPerson;
  let teamDn: string;
  const secrets: string[] = [];

  /**
   * Signs in over HTTP from a loopback source address of the test's choosing (127.0.0.x, which
   * Linux routes to lo): the failure limits count per address too, so each case speaks from its own.
   */
  let nextAddress = 10;
  const freshAddress = (): string => `127.0.0.${(nextAddress += 1)}`;
  const login = (username: string, password: string, address = '127.0.0.1'): Promise<{ status: number; body: string; retryAfter: string | null }> => {
    const { hostname, port } = new URL(registry.base);
    return new Promise((resolve, reject) => {
      request({ host: hostname, port, localAddress: address, method: 'POST', path: '/api/auth/login', headers: { authorization: basic(username, password) } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, retryAfter: response.headers['retry-after'] ?? null }));
      })
        .on('error', reject)
        .end();
    });
  };
  const signIn = async (person: DirectoryPerson): Promise<SignedIn> => {
    const answer = await login(person.uid, person.password);
    assert.equal(answer.status, 201, answer.body);
    const token = JSON.parse(answer.body) as SignedIn;
    secrets.push(token.token);
    return token;
  };
  const statusOf = async (path: string, authorization: string): Promise<number> => {
    const response = await fetch(new URL(path, registry.base), { headers: { authorization } });
    await response.arrayBuffer();
    return response.status;
  };
  const grant = async (principal: string, role: string, pattern: string): Promise<void> => {
    const response = await fetch(`${registry.base}/api/auth/principals/${encodeURIComponent(principal)}/grants/${role}/${encodeURIComponent(pattern)}`, { method: 'PUT', headers: { authorization: registry.auth } });
    assert.equal(response.status, 204, await response.text());
  };

  before(async () => {
    member = await directory.person(`lu-${id}`);
    teamDn = await directory.group(`team-${id}`, [member.dn]);
    await directory.group(`outer-${id}`, [teamDn]);
    secrets.push(member.password);
    registry = await startEmbedded(work, directorySettings({ QUIVER_LDAP_CACHE_SECONDS: String(WINDOW_SECONDS), QUIVER_LDAP_TIMEOUT_MS: String(TIMEOUT_MS) }));
    secrets.push(registry.token);
    // Reading comes through the nested group (team ∈ outer), publishing through the direct one.
    await grant(`group:outer-${id}`, 'reader', project);
    await grant(`group:team-${id}`, 'developer', `${own}*`);
    assert.equal((await publishWheel(registry.base, registry.auth, project, '1.0')).response.status, 200);
  });

  after(async () => {
    await directory.cleanUp();
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('signs in over HTTP and with the CLI, each time a personal token, and the first time makes the principal (L17)', async () => {
    const first = await signIn(member);
    assert.equal(first.principal, member.uid);
    assert.equal(first.kind, 'personal');
    const days = (Date.parse(first.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `a personal token lives 30 days by default (${days})`);
    const cli = spawn(process.execPath, ['apps/cli/dist/main.js', 'login', '--username', member.uid, '--password-stdin', '--json'], { cwd: root, env: { PATH: process.env['PATH'] ?? '', QUIVER_URL: registry.base } });
    let stdout = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stdin.end(`${member.password}\n`);
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    assert.equal(code, 0, stdout);
    const viaCli = JSON.parse(stdout) as SignedIn;
    secrets.push(viaCli.token);
    assert.equal(viaCli.principal, member.uid);
    assert.notEqual(viaCli.id, first.id);
  });

  it('lets a group grant apply, also through a nested group: the token installs with pip and publishes to its prefix', async () => {
    const token = await signIn(member);
    const pip = await runPython('pip', ['download', '--no-deps', '--index-url', `${registry.base.replace('http://', `http://__token__:${token.token}@`)}/simple/`, '-d', join(work, 'dl-token'), project], { cwd: work });
    assert.equal(pip.code, 0, pip.output);
    assert.equal((await publishWheel(registry.base, basicToken(token.token), own, '1.0')).response.status, 200, 'developer through team');
    assert.equal((await publishWheel(registry.base, basicToken(token.token), project, '2.0')).response.status, 403, 'reader only on the other');
  });

  it('lets pip install with the directory username and password', async () => {
    const index = `${registry.base.replace('http://', `http://${encodeURIComponent(member.uid)}:${encodeURIComponent(member.password)}@`)}/simple/`;
    const pip = await runPython('pip', ['download', '--no-deps', '--index-url', index, '-d', join(work, 'dl-password'), project], { cwd: work });
    assert.equal(pip.code, 0, pip.output);
    // Uploads take tokens only, and say so.
    assert.equal((await publishWheel(registry.base, basic(member.uid, member.password), own, '3.0')).response.status, 403);
  });

  it('never signs in with a wrong, empty or blank password, an unknown user or a filter-shaped name: 401 and no bind for the empty one (L1-L3, L5)', async () => {
    const offset = slapdLog.offset();
    const address = freshAddress();
    for (const [username, password] of [
      [member.uid, 'wrong-password'],
      [member.uid, ''],
      [member.uid, '   '],
      [`nobody-${id}`, 'whatever'],
      ['*', member.password],
      [`*)(uid=*))(|(uid=*`, member.password],
      [`${member.uid}*`, member.password],
    ] as const) {
      const answer = await login(username, password, address);
      assert.equal(answer.status, 401, `${username}: ${answer.body}`);
    }
    const log = slapdLog.since(offset);
    assert.match(log, /\(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28\|\\28uid=\\2a\)/i, 'slapd saw the filter-shaped name escaped, as a literal');
    const userBinds = (log.match(/BIND dn="uid=[^"]*"/gi) ?? []).map((line) => line.toLowerCase());
    assert.deepEqual(userBinds, [`bind dn="${member.dn.toLowerCase()}"`], 'one bind as a user (the wrong password); empty and blank ones, and the wildcards, bind nobody');
  });

  it('journals each password check as one auth.login fact: the principal, or the name tried, and never a password (ADR 0018)', () => {
    const dir = join(registry.dataDir, 'journal');
    const text = readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    const logins = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { action: string; service: string; outcome: string; actor: string; reason: string | null; details: { via?: string } })
      .filter((fact) => fact.action === 'auth.login' && fact.actor === member.uid);
    assert.ok(logins.every((fact) => fact.service === 'auth'));
    assert.ok(logins.some((fact) => fact.outcome === 'success' && fact.details.via === 'login'), 'a sign-in over HTTP');
    assert.ok(logins.some((fact) => fact.outcome === 'success' && fact.details.via === 'install'), "pip's password, checked for the index");
    assert.ok(logins.some((fact) => fact.outcome === 'denied' && fact.reason === 'invalid-credentials'), 'the wrong password');
    for (const secret of [...secrets, 'wrong-password']) {
      assert.ok(!text.includes(secret), 'no password or token in the journal');
    }
  });

  it('maps case variants to one principal (L11) and follows a rename (L12)', async () => {
    const renamedUser = await directory.person(`ren-${id}`);
    secrets.push(renamedUser.password);
    const first = await signIn(renamedUser);
    const upper = await login(renamedUser.uid.toUpperCase(), renamedUser.password, freshAddress());
    assert.equal(upper.status, 201, upper.body);
    assert.equal((JSON.parse(upper.body) as SignedIn).principal, first.principal);
    const newUid = `ren-${id}-new`;
    await directory.rename(renamedUser.dn, newUid);
    const afterRename = await login(newUid, renamedUser.password, freshAddress());
    assert.equal(afterRename.status, 201, afterRename.body);
    assert.equal((JSON.parse(afterRename.body) as SignedIn).principal, first.principal, 'the same principal, by entryUUID');
  });

  it(`takes a removed membership away within the window (${WINDOW_SECONDS} s): 403 on the next request after it (L10, BAD-INPUT 61)`, async () => {
    const person = await directory.person(`gone-${id}`);
    const group = await directory.group(`crew-${id}`, [person.dn]);
    secrets.push(person.password);
    await grant(`group:crew-${id}`, 'developer', `crew-${id}-*`);
    const token = await signIn(person);
    assert.equal((await publishWheel(registry.base, basicToken(token.token), `crew-${id}-a`, '1.0')).response.status, 200);
    await directory.removeMember(group, person.dn);
    const removedAt = Date.now();
    await eventually(async () => assert.equal((await publishWheel(registry.base, basicToken(token.token), `crew-${id}-a`, `${Date.now()}.0`)).response.status, 403), {
      timeoutMs: WINDOW_SECONDS * 1000 + 5_000,
      intervalMs: 200,
    });
    const tookMs = Date.now() - removedAt;
    assert.ok(tookMs <= WINDOW_SECONDS * 1000 + 1_500, `within the window (took ${tookMs} ms)`);
  });

  it(`stops every token and the password of a deleted user within the window: 401 (L10, BAD-INPUT 61)`, async () => {
    const person = await directory.person(`left-${id}`);
    await directory.group(`left-${id}-team`, [person.dn]);
    await grant(`group:left-${id}-team`, 'reader', project);
    secrets.push(person.password);
    const token = await signIn(person);
    const password = basic(person.uid, person.password);
    assert.equal(await statusOf(`/simple/${project}/`, basicToken(token.token)), 200);
    assert.equal(await statusOf(`/simple/${project}/`, password), 200);
    await directory.remove(person.dn);
    const deletedAt = Date.now();
    await eventually(
      async () => {
        assert.equal(await statusOf(`/simple/${project}/`, basicToken(token.token)), 401);
        assert.equal(await statusOf(`/simple/${project}/`, password), 401);
      },
      { timeoutMs: WINDOW_SECONDS * 1000 + 5_000, intervalMs: 200 },
    );
    const tookMs = Date.now() - deletedAt;
    assert.ok(tookMs <= WINDOW_SECONDS * 1000 + 1_500, `within the window (took ${tookMs} ms)`);
  });

  it('answers 429 with Retry-After after 10 failed sign-ins for a user, from any addresses, and then binds no more (L15, BAD-INPUT 62)', async () => {
    const person = await directory.person(`brute-${id}`);
    secrets.push(person.password);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      assert.equal((await login(person.uid, `wrong-${attempt}`, freshAddress())).status, 401);
    }
    const offset = slapdLog.offset();
    const limited = await login(person.uid, person.password, freshAddress());
    assert.equal(limited.status, 429, limited.body);
    assert.ok(Number(limited.retryAfter) > 0 && Number(limited.retryAfter) <= 300, `Retry-After ${limited.retryAfter}`);
    assert.match(limited.body, /Too many failed sign-ins/);
    assert.equal(new RegExp(`BIND dn="${person.dn}"`, 'i').test(slapdLog.since(offset)), false, 'no bind was sent for the limited attempt');
  });

  it('answers 429 after 10 failed sign-ins from one address, whoever they are for (BAD-INPUT 62)', async () => {
    const address = freshAddress();
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      assert.equal((await login(`spray-${id}-${attempt}`, 'guess', address)).status, 401);
    }
    assert.equal((await login(member.uid, member.password, address)).status, 429, 'even the right password, from that address');
    assert.equal((await login(member.uid, member.password, freshAddress())).status, 201, 'from another address it signs in');
  });

  it('checks a password the index has not verified once for many concurrent reads with it: every one 200, one bind, none refused as too many sign-ins', async () => {
    // A client that downloads in parallel (uv fetches up to 50 files at a time) with a directory
    // password, on a fresh registry whose window (the default 300 s) re-reads nothing meanwhile.
    const reader = await directory.person(`par-${id}`);
    await directory.group(`par-team-${id}`, [reader.dn]);
    secrets.push(reader.password);
    const fresh = await startEmbedded(join(work, 'concurrent'), directorySettings({ QUIVER_LDAP_TIMEOUT_MS: String(TIMEOUT_MS) }));
    secrets.push(fresh.token);
    try {
      const granted = await fetch(`${fresh.base}/api/auth/principals/${encodeURIComponent(`group:par-team-${id}`)}/grants/reader/*`, { method: 'PUT', headers: { authorization: fresh.auth } });
      assert.equal(granted.status, 204, await granted.text());
      assert.equal((await publishWheel(fresh.base, fresh.auth, project, '1.0')).response.status, 200);
      // Signed in once before (the auth service's own check: the index has still verified nothing).
      // A first sign-in makes the principal, identity events that empty every cache once applied.
      const signedIn = await fetch(`${fresh.base}/api/auth/login`, { method: 'POST', headers: { authorization: basic(reader.uid, reader.password) } });
      assert.equal(signedIn.status, 201, await signedIn.text());
      const { hostname, port } = new URL(fresh.base);
      const address = freshAddress();
      const read = (): Promise<number> =>
        new Promise((resolve, reject) => {
          request({ host: hostname, port, localAddress: address, path: `/simple/${project}/`, headers: { authorization: basic(reader.uid, reader.password) } }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          })
            .on('error', reject)
            .end();
        });
      const offset = slapdLog.offset();
      const statuses = await Promise.all(Array.from({ length: 40 }, read));
      assert.deepEqual(
        statuses.filter((status) => status !== 200),
        [],
        'every concurrent read with the right password is served (a 429 here says "too many failed sign-ins" when none failed)',
      );
      // slapd logs a bind as `BIND dn="…" method=128`, and a successful one again with its mechanism.
      const binds = slapdLog.since(offset).match(new RegExp(`BIND dn="${reader.dn}" method=`, 'gi')) ?? [];
      assert.equal(binds.length, 1, 'the directory is asked once, for all of them');
    } finally {
      assert.equal(await fresh.stop(), 0, fresh.started.output());
    }
  });

  it('fails sign-in within the timeout with 503 when the directory stops answering, and works again after', async () => {
    const person = await directory.person(`stall-${id}`);
    secrets.push(person.password);
    const began = Date.now();
    const address = freshAddress();
    const stalled = await withDirectoryStopped(() => login(person.uid, person.password, address));
    const took = Date.now() - began;
    assert.equal(stalled.status, 503, stalled.body);
    assert.ok(took < TIMEOUT_MS * 2 + 1_000, `within the timeout (took ${took} ms)`);
    assert.equal((await login(person.uid, person.password, address)).status, 201, 'and signs in once it answers');
  });

  it('keeps tokens working on the last known groups while the directory does not answer, for the grace only (503 after it)', async () => {
    const graceful = await startEmbedded(join(work, 'grace'), directorySettings({ QUIVER_LDAP_CACHE_SECONDS: '1', QUIVER_LDAP_GRACE_SECONDS: '3', QUIVER_LDAP_TIMEOUT_MS: '1000' }));
    try {
      const grantThere = await fetch(`${graceful.base}/api/auth/principals/${encodeURIComponent(`group:outer-${id}`)}/grants/reader/*`, { method: 'PUT', headers: { authorization: graceful.auth } });
      assert.equal(grantThere.status, 204);
      const signedIn = await fetch(`${graceful.base}/api/auth/login`, { method: 'POST', headers: { authorization: basic(member.uid, member.password) } });
      assert.equal(signedIn.status, 201);
      const token = (await signedIn.json()) as SignedIn;
      secrets.push(token.token);
      const status = async (): Promise<number> => {
        const response = await fetch(`${graceful.base}/simple/`, { headers: { authorization: basicToken(token.token) } });
        await response.arrayBuffer();
        return response.status;
      };
      assert.equal(await status(), 200);
      const { withinGrace, stoppedFor } = await withDirectoryStopped(async () => {
        const stoppedAt = Date.now();
        const within = await status();
        await eventually(async () => assert.equal(await status(), 503), { timeoutMs: 10_000, intervalMs: 200 });
        return { withinGrace: within, stoppedFor: Date.now() - stoppedAt };
      });
      assert.equal(withinGrace, 200, 'within the grace the token works on what was last read');
      assert.ok(stoppedFor <= 3_000 + 2_000, `503 once the grace (3 s) has passed since the last read (after ${stoppedFor} ms)`);
      await eventually(async () => assert.equal(await status(), 200), { timeoutMs: 10_000, intervalMs: 200 });
    } finally {
      assert.equal(await graceful.stop(), 0);
    }
  });

  it('refuses a directory whose certificate no trusted CA signed: 503, never a cleartext bind', async () => {
    const other = await startEmbedded(join(work, 'other-ca'), directorySettings({ QUIVER_LDAP_CA_FILE: requireEnv('QUIVER_TEST_LDAP_OTHER_CA_FILE'), QUIVER_LDAP_TIMEOUT_MS: String(TIMEOUT_MS) }));
    try {
      const offset = slapdLog.offset();
      const response = await fetch(`${other.base}/api/auth/login`, { method: 'POST', headers: { authorization: basic(member.uid, member.password) } });
      assert.equal(response.status, 503, await response.text());
      // slapd is shared (the first registry re-reads its users meanwhile): look at the refused connections.
      const log = slapdLog.since(offset);
      const refused = [...log.matchAll(/conn=(\d+) fd=\d+ closed \(TLS negotiation failure\)/g)].map((match) => match[1]);
      assert.ok(refused.length > 0, 'slapd saw the TLS handshake fail');
      for (const conn of refused) {
        assert.doesNotMatch(log, new RegExp(`conn=${conn} op=\\d+ BIND`), 'nothing was bound on it, not even the service account');
      }
      assert.doesNotMatch(log, new RegExp(`BIND dn="${member.dn}"`, 'i'), 'and the user was never bound');
    } finally {
      assert.equal(await other.stop(), 0);
    }
  });

  it('answers 503 and alerts the operator when the service account cannot bind, never falling back or logging the password (L13)', async () => {
    const wrongPassword = `rotated-${randomBytes(6).toString('hex')}`;
    const broken = await startEmbedded(join(work, 'wrong-bind'), directorySettings({ QUIVER_LDAP_BIND_PASSWORD: wrongPassword, QUIVER_LDAP_TIMEOUT_MS: String(TIMEOUT_MS) }));
    try {
      const response = await fetch(`${broken.base}/api/auth/login`, { method: 'POST', headers: { authorization: basic(member.uid, member.password) } });
      assert.equal(response.status, 503, await response.text());
      await eventually(() => assert.match(broken.started.output(), /ALERT directory unavailable for sign-in: LDAP service-account bind failed/), { timeoutMs: 5_000 });
      assert.ok(!broken.started.output().includes(wrongPassword), 'the service password is never logged');
      assert.ok(!broken.started.output().includes(member.password), "nor the user's");
    } finally {
      assert.equal(await broken.stop(), 0);
    }
  });

  it('writes no password, token or Authorization value to any log', () => {
    const logs = registry.started.output();
    for (const secret of secrets) {
      assert.ok(!logs.includes(secret), 'a secret reached the log');
    }
    assert.doesNotMatch(logs, /authorization:|Basic [A-Za-z0-9+/=]{16,}/i);
  });
});

