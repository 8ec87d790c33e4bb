/**
 * Issue 12, Done-when 1 and 2: what happens at every door ends up in the audit log exactly once,
 * with who, which token, from where and how it ended, in both modes; also after the audit service
 * or an index replica is killed with SIGKILL; and a changed, deleted or swapped row makes
 * `quiver audit verify` name the first broken entry.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { PgDatabase } from '@quiver/shared-data-access-db';
import { eventually, requireEnv } from '@quiver/shared-testing';
import { startEmbedded } from './support/bad-input.js';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { exited, type Started } from './support/process.js';
import { basicToken } from './support/publish.js';
import { buildProject, runPython } from './support/python.js';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

interface Registry {
  readonly base: string;
  readonly token: string;
  output(): string;
  stop(): Promise<boolean>;
  readonly distributed?: DistributedRegistry;
}

interface Entry {
  readonly seq: number;
  readonly factId: string;
  readonly time: string;
  readonly service: string;
  readonly action: string;
  readonly outcome: string;
  readonly actor: string;
  readonly tokenId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly project: string | null;
  readonly version: string | null;
  readonly filename: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Token {
  readonly id: string;
  readonly token: string;
}

const LOOPBACK = /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/;

function auditSuite(mode: string, start: (work: string) => Promise<Registry>, suffix: string, extra?: (context: () => SuiteContext) => void): void {
  describe(`the audit log of real clients' requests (${mode})`, () => {
    const work = mkdtempSync(join(tmpdir(), 'quiver-audit-'));
    const [dev, reader, ghost, project, outside] = [`adev-${suffix}`, `areader-${suffix}`, `ghost-${suffix}`, `audit-${suffix}-tools`, `audit-other-${suffix}`];
    let registry: Registry;
    let devToken: Token;
    let readerToken: Token;
    const secrets: string[] = [];

    const quiver = async (...args: string[]): Promise<CliResult> => {
      try {
        const { stdout, stderr } = await execFileAsync(process.execPath, ['apps/cli/dist/main.js', ...args], {
          cwd: root,
          env: { PATH: process.env['PATH'] ?? '', QUIVER_URL: registry.base, QUIVER_TOKEN: registry.token },
          maxBuffer: 64 * 1024 * 1024,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
      }
    };
    const ok = async (...args: string[]): Promise<CliResult> => {
      const result = await quiver(...args);
      assert.equal(result.code, 0, `quiver ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    /** Every entry matching `filter`, through `GET /api/audit` page by page. */
    const entries = async (filter: Record<string, string>): Promise<Entry[]> => {
      const all: Entry[] = [];
      let after: string | null = '0';
      while (after !== null) {
        const response = await fetch(`${registry.base}/api/audit?${new URLSearchParams({ ...filter, after, limit: '1000' }).toString()}`, { headers: { authorization: basicToken(registry.token) } });
        assert.equal(response.status, 200, await response.clone().text());
        const page = (await response.json()) as { entries: Entry[]; next: string | null };
        all.push(...page.entries);
        after = page.next;
      }
      return all;
    };
    /** Waits until exactly `count` entries match (and stay so: one more poll), and returns them. */
    const exactly = async (filter: Record<string, string>, count: number, where: (entry: Entry) => boolean = () => true): Promise<Entry[]> => {
      const found = await eventually(
        async () => {
          const matching = (await entries(filter)).filter(where);
          assert.ok(matching.length >= count, `${matching.length} of ${count} entries for ${JSON.stringify(filter)} so far`);
          return matching;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `${count} audit entries for ${JSON.stringify(filter)}` },
      );
      assert.equal(found.length, count, `exactly ${count} entries for ${JSON.stringify(filter)}: ${JSON.stringify(found)}`);
      return found;
    };
    const createToken = async (principal: string): Promise<Token> => {
      const created = JSON.parse((await ok('token', 'create', principal, '--json')).stdout) as Token;
      secrets.push(created.token);
      return created;
    };
    let versions = 0;
    const twine = async (token: string, name: string, version?: string, marker = 'x'): Promise<{ code: number | null; output: string }> => {
      versions += 1;
      const built = await buildProject(work, name, version ?? `1.${versions}`, marker);
      return runPython('twine', ['upload', '--non-interactive', '--repository-url', `${registry.base}/legacy/`, built.wheel], { cwd: work, env: { TWINE_USERNAME: '__token__', TWINE_PASSWORD: token } });
    };
    const pipDownload = (token: string, requirement: string): ReturnType<typeof runPython> =>
      runPython('pip', ['download', '--no-deps', '--index-url', `${registry.base.replace('http://', `http://__token__:${token}@`)}/simple/`, '-d', join(work, `dl-${randomBytes(3).toString('hex')}`), requirement], { cwd: work });

    before(async () => {
      registry = await start(work);
      await ok('grant', dev, 'developer', `audit-${suffix}-*`);
      await ok('grant', reader, 'reader', '*');
      devToken = await createToken(dev);
      readerToken = await createToken(reader);
    });

    after(async () => {
      const clean = await registry.stop();
      const logs = registry.output();
      rmSync(work, { recursive: true, force: true });
      assert.ok(clean, 'every process stopped cleanly');
      for (const secret of [registry.token, ...secrets]) {
        assert.ok(!logs.includes(secret), 'no token in any log line');
      }
    });

    it('logs an upload, an install, a failed sign-in, a 401, a 403 and a refused upload once each, with who, which token, from where and how it ended', async () => {
      const uploaded = await twine(devToken.token, project, '1.0', 'first');
      assert.equal(uploaded.code, 0, uploaded.output);
      const installed = await pipDownload(readerToken.token, `${project}==1.0`);
      assert.equal(installed.code, 0, installed.output);
      const signIn = await fetch(`${registry.base}/api/auth/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${ghost}:wrong-password`).toString('base64')}` } });
      assert.equal(signIn.status, 401);
      const userAgent401 = `audit-e2e-401-${suffix}`;
      const unauthenticated = await fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: basicToken('quiver_this_is_not_a_token'), 'user-agent': userAgent401 } });
      await unauthenticated.arrayBuffer();
      assert.equal(unauthenticated.status, 401);
      const forbidden = await twine(devToken.token, outside);
      assert.notEqual(forbidden.code, 0);
      assert.match(forbidden.output, /403/);
      // The same file name with other bytes: refused (409 File already exists), never stored.
      const refused = await twine(devToken.token, project, '1.0', 'other bytes');
      assert.notEqual(refused.code, 0);
      assert.match(refused.output, /409 Conflict/);

      const [upload] = await exactly({ action: 'package.upload', actor: dev, project, outcome: 'success' }, 1);
      assert.equal(upload?.tokenId, devToken.id);
      assert.equal(upload?.service, 'upload');
      assert.equal(upload?.version, '1.0');
      assert.match(upload?.filename ?? '', /\.whl$/);
      assert.match(upload?.clientAddress ?? '', LOOPBACK);
      assert.equal(upload?.status, 200);

      const [download] = await exactly({ action: 'file.download', token: readerToken.id, project }, 1);
      assert.equal(download?.actor, reader);
      assert.equal(download?.outcome, 'success');
      assert.equal(download?.filename, upload?.filename);
      assert.match(download?.clientAddress ?? '', LOOPBACK);
      assert.match(download?.userAgent ?? '', /^pip\//);

      const [failedSignIn] = await exactly({ action: 'auth.login', actor: ghost }, 1);
      assert.equal(failedSignIn?.outcome, 'denied');
      assert.equal(failedSignIn?.tokenId, null);
      assert.match(failedSignIn?.clientAddress ?? '', LOOPBACK);

      const [denied401] = await exactly({ action: 'auth.denied' }, 1, (entry) => entry.userAgent === userAgent401);
      assert.equal(denied401?.outcome, 'denied');
      assert.equal(denied401?.status, 401);
      assert.equal(denied401?.actor, 'anonymous');
      assert.match(denied401?.clientAddress ?? '', LOOPBACK);

      const [denied403] = await exactly({ action: 'auth.denied', actor: dev, token: devToken.id }, 1);
      assert.equal(denied403?.outcome, 'denied');
      assert.equal(denied403?.status, 403);
      assert.equal(denied403?.project, outside);
      assert.match(denied403?.clientAddress ?? '', LOOPBACK);

      const [refusedUpload] = await exactly({ action: 'package.upload', actor: dev, project, outcome: 'refused' }, 1);
      assert.equal(refusedUpload?.tokenId, devToken.id);
      assert.equal(refusedUpload?.status, 409);
      assert.ok(refusedUpload?.reason, 'a machine-readable reason');
      assert.match(refusedUpload?.clientAddress ?? '', LOOPBACK);

      // No secret in any entry.
      const everything = JSON.stringify(await entries({}));
      for (const secret of [registry.token, ...secrets, 'wrong-password', 'quiver_this_is_not_a_token']) {
        assert.ok(!everything.includes(secret), 'no secret in the audit log');
      }
    });

    it('exports the same entries with quiver audit export, as JSON lines and as CSV', async () => {
      const jsonl = await ok('audit', 'export', '--since', '1d', '--actor', dev);
      const exported = jsonl.stdout.trim().split('\n').map((line) => JSON.parse(line) as Entry);
      assert.deepEqual(exported, await entries({ actor: dev }));
      assert.ok(exported.some((entry) => entry.action === 'package.upload' && entry.outcome === 'refused'));
      const csv = await ok('audit', 'export', '--since', '1d', '--format', 'csv', '--actor', dev);
      const lines = csv.stdout.split('\r\n').filter((line) => line !== '');
      const header = lines[0]?.split(',') ?? [];
      for (const column of ['time', 'actor', 'action', 'outcome', 'project', 'tokenId', 'clientAddress']) {
        assert.ok(header.includes(column), `CSV header has ${column}`);
      }
      assert.equal(lines.length, exported.length + 1, 'one row per entry after the header');
      const row = lines.find((line) => line.includes('package.upload') && line.includes(',success,'))?.split(',') ?? [];
      assert.equal(row[header.indexOf('tokenId')], devToken.id);
      assert.equal(row[header.indexOf('actor')], dev);
      const empty = await ok('audit', 'export', '--until', '2000-01-01', '--format', 'csv');
      assert.equal(empty.stdout.split('\r\n').filter(Boolean).length, 1, 'only the header');
      const bad = await fetch(`${registry.base}/api/audit?since=yesterday&limit=5000`, { headers: { authorization: basicToken(registry.token), accept: 'application/json' } });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { detail: string }).detail, /since must be an ISO 8601 time.*limit must be a whole number from 1 to 1000/);
      const notAdmin = await fetch(`${registry.base}/api/audit`, { headers: { authorization: basicToken(readerToken.token) } });
      assert.equal(notAdmin.status, 403);
    });

    it('tails the latest entries and verifies the untouched log with its count', async () => {
      const tail = await ok('audit', 'tail', '-n', '3', '--actor', dev);
      assert.equal(tail.stdout.trim().split('\n').length, 3);
      assert.match(tail.stdout, new RegExp(dev));
      const verified = await ok('audit', 'verify');
      const count = Number(/verified: (\d+) entries/.exec(verified.stdout)?.[1]);
      assert.ok(count >= 6, verified.stdout);
    });

    it('follows new entries with quiver audit tail --follow', async () => {
      const follower = spawn(process.execPath, ['apps/cli/dist/main.js', 'audit', 'tail', '--follow', '-n', '1', '--format', 'jsonl', '--action', 'auth.denied'], {
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '', QUIVER_URL: registry.base, QUIVER_TOKEN: registry.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      follower.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      follower.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await eventually(() => output.trim().split('\n').length >= 1 && output.trim() !== '', { timeoutMs: 15_000, what: 'the latest denial' });
        const userAgent = `audit-e2e-follow-${suffix}`;
        const denied = await fetch(`${registry.base}/simple/${project}/`, { headers: { 'user-agent': userAgent } });
        await denied.arrayBuffer();
        assert.equal(denied.status, 401);
        await eventually(() => output.includes(userAgent), { timeoutMs: 30_000, what: 'the new denial followed' });
        const followed = output.trim().split('\n').map((line) => JSON.parse(line) as Entry);
        assert.equal(followed.filter((entry) => entry.userAgent === userAgent).length, 1);
        assert.ok(followed.every((entry) => entry.action === 'auth.denied'));
        assert.equal(follower.exitCode, null, 'still following');
      } finally {
        if (follower.exitCode === null && follower.signalCode === null) {
          const gone = once(follower, 'exit');
          follower.kill('SIGTERM');
          await gone;
        }
      }
    });

    extra?.(() => ({ registry, quiver, entries, exactly, readerToken, project }));
  });
}

interface SuiteContext {
  readonly registry: Registry;
  readonly quiver: (...args: string[]) => Promise<CliResult>;
  readonly entries: (filter: Record<string, string>) => Promise<Entry[]>;
  readonly exactly: (filter: Record<string, string>, count: number, where?: (entry: Entry) => boolean) => Promise<Entry[]>;
  readonly readerToken: Token;
  readonly project: string;
}

/** How many messages the access topic's dead-letter topic holds (0 when it does not exist). */
async function deadLettered(): Promise<number> {
  const kafka = new kafkajs.Kafka({ brokers: requireEnv('QUIVER_TEST_KAFKA_BROKERS').split(','), clientId: 'audit-e2e-dlt', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes('quiver.access.v1.dlt')) {
      return 0;
    }
    const offsets = await admin.fetchTopicOffsets('quiver.access.v1.dlt');
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Swaps the places of two entries, as someone reordering rows would (seq is the primary key: three steps). */
async function swap(db: PgDatabase, a: number, b: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('UPDATE audit_log SET seq = -1 WHERE seq = $1', [a]);
    await tx.query('UPDATE audit_log SET seq = $1 WHERE seq = $2', [a, b]);
    await tx.query('UPDATE audit_log SET seq = $1 WHERE seq = -1', [b]);
  });
}

/** The URL of the project's file the reader installed (the embedded and distributed suites publish one). */
async function fileUrl(base: string, context: SuiteContext): Promise<string> {
  const [download] = await context.entries({ action: 'file.download', project: context.project });
  const page = await fetch(`${base}/simple/${context.project}/`, { headers: { authorization: basicToken(context.readerToken.token), accept: 'application/vnd.pypi.simple.v1+json' } });
  const href = ((await page.json()) as { files: { filename: string; url: string }[] }).files.find((file) => file.filename === download?.filename)?.url;
  assert.ok(href, 'the installed file is listed');
  return new URL(href, `${base}/simple/${context.project}/`).toString();
}

/** `count` downloads of `url` with the reader's token, each with its own user agent (`<marker>-<n>`), `parallel` at a time. */
async function downloads(url: string, context: SuiteContext, marker: string, count: number, parallel = 10): Promise<void> {
  for (let done = 0; done < count; done += parallel) {
    await Promise.all(
      Array.from({ length: Math.min(parallel, count - done) }, async (_, index) => {
        const response = await fetch(url, { headers: { authorization: basicToken(context.readerToken.token), 'user-agent': `${marker}-${done + index}` } });
        await response.arrayBuffer();
        assert.equal(response.status, 200);
      }),
    );
  }
}

auditSuite(
  'embedded',
  async (work) => {
    const registry = await startEmbedded(work);
    return { base: registry.base, token: registry.token, output: () => registry.started.output(), stop: async () => (await registry.stop()) === 0 };
  },
  'e',
);

auditSuite(
  'distributed, two replicas of each service behind nginx',
  async (work) => {
    const registry = await startDistributed(root, work);
    return {
      base: registry.base,
      token: registry.token,
      distributed: registry,
      output: () => [...registry.instances.values()].map((started) => started.output()).join('\n'),
      stop: () => registry.stop(),
    };
  },
  // The harness's Postgres and Kafka outlive one registry: fresh names per run.
  randomBytes(3).toString('hex'),
  (context) => {
    it('keeps every entry once when the audit service is killed with SIGKILL mid-stream and restarted', async () => {
      const { registry, exactly, quiver } = context();
      const cluster = registry.distributed as DistributedRegistry;
      const marker = `audit-kill-${randomBytes(3).toString('hex')}`;
      const deadLetteredBefore = await deadLettered();
      const url = await fileUrl(registry.base, context());
      const first = downloads(url, context(), `${marker}-a`, 300);
      first.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      // Mid-stream: once some of them are logged, both audit replicas die.
      await eventually(async () => (await context().entries({ action: 'file.download' })).some((entry) => entry.userAgent?.startsWith(marker) === true), { timeoutMs: 30_000, intervalMs: 50 });
      await Promise.all([cluster.kill('audit-1'), cluster.kill('audit-2')]);
      await first;
      await downloads(url, context(), `${marker}-b`, 50);
      // An audit process that dies between committing a batch and committing its offset: the batch comes again.
      let crashed: Started | undefined;
      try {
        crashed = (await cluster.startExtra('audit', { QUIVER_AUDIT_FAULT_POINT: 'after_append' })).started;
      } catch (error) {
        assert.match(String(error), /process exited with SIGKILL/, 'the faulty instance may die before it answers its health check');
      }
      if (crashed) {
        const started = crashed;
        await eventually(() => exited(started), { timeoutMs: 90_000, what: 'the faulty audit instance killed itself after a batch' });
        assert.equal(started.child.signalCode, 'SIGKILL');
      }
      await Promise.all([cluster.restart('audit-1'), cluster.restart('audit-2')]);
      const logged = await exactly({ action: 'file.download' }, 350, (entry) => entry.userAgent?.startsWith(marker) === true);
      assert.equal(new Set(logged.map((entry) => entry.userAgent)).size, 350, 'each download once');
      const verified = await quiver('audit', 'verify');
      assert.equal(verified.code, 0, verified.stderr);
      assert.equal(await deadLettered(), deadLetteredBefore, 'the redelivered batch was absorbed, not dead-lettered');
    });

    it('logs every download an index replica answered right before it was killed with SIGKILL', async () => {
      const { registry, exactly } = context();
      const cluster = registry.distributed as DistributedRegistry;
      const marker = `index-kill-${randomBytes(3).toString('hex')}`;
      const url = (await fileUrl(registry.base, context())).replace(registry.base, cluster.urlOf('index-1'));
      await downloads(url, context(), marker, 100, 20);
      await cluster.kill('index-1'); // at once after the last answer
      await cluster.restart('index-1'); // same journal directory
      const logged = await exactly({ action: 'file.download' }, 100, (entry) => entry.userAgent?.startsWith(marker) === true);
      assert.equal(new Set(logged.map((entry) => entry.userAgent)).size, 100, 'each download once');
    });

    it('names the first broken entry when a row is changed, deleted or two are swapped, and verifies again once restored', async () => {
      const { quiver } = context();
      const db = new PgDatabase({ connectionString: requireEnv('QUIVER_TEST_PG_URL'), schema: 'quiver_audit' });
      try {
        const verify = async (): Promise<CliResult> => quiver('audit', 'verify');
        const intact = await verify();
        assert.equal(intact.code, 0, intact.stderr);
        assert.match(intact.stdout, /verified: \d+ entries/);
        const row = async (seq: number): Promise<Record<string, unknown>> => (await db.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE seq = $1', [seq])).rows[0] ?? {};

        const original = await row(5);
        await db.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5");
        const changed = await verify();
        assert.equal(changed.code, 1);
        assert.match(changed.stderr, /first broken entry 5 \(changed\)/);
        await db.query('UPDATE audit_log SET actor = $1 WHERE seq = 5', [original['actor']]);
        assert.equal((await verify()).code, 0);

        await db.query('CREATE TABLE audit_tamper_copy AS SELECT * FROM audit_log WHERE seq = 4');
        await db.query('DELETE FROM audit_log WHERE seq = 4');
        const deleted = await verify();
        assert.equal(deleted.code, 1);
        assert.match(deleted.stderr, /first broken entry 4 \(deleted\)/);
        await db.query('INSERT INTO audit_log SELECT * FROM audit_tamper_copy');
        await db.query('DROP TABLE audit_tamper_copy');
        assert.equal((await verify()).code, 0);

        await swap(db, 3, 6);
        const swapped = await verify();
        assert.equal(swapped.code, 1);
        assert.match(swapped.stderr, /first broken entry 3 \(reordered\)/);
        await swap(db, 3, 6);
        assert.equal((await verify()).code, 0);
      } finally {
        await db.close();
      }
    });
  },
);
