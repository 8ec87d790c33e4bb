/**
 * RELIABILITY.md F1, F3, F5 and F7 in distributed mode: with the object store or the database
 * stopped, uploads get 503 (never a 200 for anything not stored), no service process dies, what
 * does not need the stopped dependency keeps working, and once it is back the same uploads succeed.
 * An upload process killed between blob and commit, or between commit and answer, leaves either an
 * orphan blob (removed by the GC) or a recorded file (a re-run is a 200 no-op). The reconcile job
 * finds exactly the objects removed or damaged behind the registry's back. The registry runs on its
 * own Postgres and S3 instances, started here from the harness definitions so the test can stop them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as Minio from 'minio';
import pg from 'pg';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { HarnessContext } from '../harness/context.js';
import type { RunningService } from '../harness/service.js';
import { kafka } from '../harness/services/kafka.js';
import { postgres } from '../harness/services/postgres.js';
import { s3 } from '../harness/services/s3.js';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { exited } from './support/process.js';
import { basicToken, publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const shard = (prefix: string, digest: string): string => `${prefix}/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`;

/** The content-addressed keys an upload of `buildWheel(project, version)` stores: the wheel and its METADATA sidecar. */
function blobKeysOf(project: string, version: string): { readonly file: string; readonly metadata: string; readonly filename: string } {
  const wheel = buildWheel(project, version);
  return { file: shard('files', sha256(wheel.bytes)), metadata: shard('metadata', sha256(wheel.metadata)), filename: wheel.filename };
}

/**
 * Requests a stopped (SIGSTOP) server has been sent but has not read: TCP sockets on its port with
 * unread bytes in their receive queue (IPv4 and IPv6 tables; the JVM listens dual-stack).
 */
function unreadRequests(port: number): number {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((table) => (existsSync(table) ? readFileSync(table, 'utf8').split('\n').slice(1) : []))
    .map((line) => line.trim().split(/\s+/))
    .filter(([, local = '', , state = '', queues = '']) => local.endsWith(suffix) && state === '01' && Number.parseInt(queues.split(':')[1] ?? '0', 16) > 0).length;
}

/** Runs the `quiver` CLI against the registry; resolves with its exit code and output. */
async function quiverCli(base: string, token: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'apps', 'cli', 'dist', 'main.js'), ...args], {
    env: { ...process.env, QUIVER_URL: base, QUIVER_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('dependency and process faults in distributed mode (RELIABILITY F1, F5, F3, F7), GC and reconcile', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-faults-'));
  chmodSync(work, 0o711); // the postgres user must reach its data directory below
  const ctx = new HarnessContext(join(work, 'services'));
  let database: RunningService;
  let objects: RunningService;
  let broker: RunningService;
  let registry: DistributedRegistry;
  let auth: string;
  let bucketClient: Minio.Client;
  const bucket = `quiver-faults-${randomBytes(4).toString('hex')}`;

  before(async () => {
    [database, objects, broker] = await Promise.all([postgres.start(ctx), s3.start(ctx), kafka.start(ctx)]);
    registry = await startDistributed(root, work, 2, {
      QUIVER_KAFKA_BROKERS: broker.env['QUIVER_TEST_KAFKA_BROKERS'] ?? '',
      QUIVER_DATABASE_URL: database.env['QUIVER_TEST_PG_URL'] ?? '',
      QUIVER_S3_ENDPOINT: objects.env['QUIVER_TEST_S3_ENDPOINT'] ?? '',
      QUIVER_S3_ACCESS_KEY: objects.env['QUIVER_TEST_S3_ACCESS_KEY'] ?? '',
      QUIVER_S3_SECRET_KEY: objects.env['QUIVER_TEST_S3_SECRET_KEY'] ?? '',
      QUIVER_S3_BUCKET: bucket,
      QUIVER_NEW_PROJECTS_PER_HOUR: '0',
    });
    auth = basicToken(registry.token);
    const endpoint = new URL(objects.env['QUIVER_TEST_S3_ENDPOINT'] ?? '');
    bucketClient = new Minio.Client({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port),
      useSSL: false,
      accessKey: objects.env['QUIVER_TEST_S3_ACCESS_KEY'] ?? '',
      secretKey: objects.env['QUIVER_TEST_S3_SECRET_KEY'] ?? '',
      region: objects.env['QUIVER_TEST_S3_REGION'] ?? 'us-east-1',
      pathStyle: true,
    });
  });

  after(async () => {
    // Whatever `before` got to: a registry that failed to start must not leave its stores running.
    try {
      await registry?.stop();
    } finally {
      await Promise.all([database?.stop(), objects?.stop(), broker?.stop()]);
      rmSync(work, { recursive: true, force: true });
    }
  });

  const upload = async (project: string, version: string): Promise<Response> => (await publishWheel(registry.base, auth, project, version)).response;
  const page = (project: string): Promise<Response> => fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: auth, accept: 'application/vnd.pypi.simple.v1+json' } });
  /** Names of the service processes that have ended (an exit or a signal); `[]` when all are alive. */
  const allAlive = (): string[] => [...registry.instances.entries()].filter(([, started]) => exited(started)).map(([name]) => name);
  /** What the processes that ended printed last (for the message of a failed `allAlive` check). */
  const lastWords = (): string =>
    [...registry.instances.entries()]
      .filter(([, started]) => exited(started))
      .map(([name, started]) => `--- ${name} (exit ${String(started.child.exitCode ?? started.child.signalCode)}) ---\n${started.output().slice(-4000)}`)
      .join('\n');
  const stored = async (key: string): Promise<boolean> =>
    bucketClient.statObject(bucket, key).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: unknown }).code === 'NotFound' || (error as { code?: unknown }).code === 'NoSuchKey') {
          return false;
        }
        throw error;
      },
    );
  /** One query against the upload service's schema, on a connection of its own. */
  const uploadDb = async <Row extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: database.env['QUIVER_TEST_PG_URL'] ?? '' });
    await client.connect();
    try {
      return (await client.query<Row>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const recorded = async (project: string): Promise<{ events: number; files: number }> => {
    const [events] = await uploadDb<{ n: number }>("SELECT count(*)::int AS n FROM quiver_upload.events WHERE stream_id = $1", [`project-${project}`]);
    const [files] = await uploadDb<{ n: number }>('SELECT count(*)::int AS n FROM quiver_upload.file_registry WHERE project = $1', [project]);
    return { events: events?.n ?? -1, files: files?.n ?? -1 };
  };
  const admin = async (path: string): Promise<Response> => fetch(`${registry.base}${path}`, { method: 'POST', headers: { authorization: auth, accept: 'application/json' } });
  /** Listed exactly once on the index, and the bytes downloaded have the recorded sha256. */
  const assertInstallable = async (project: string, version: string): Promise<void> => {
    const wheel = buildWheel(project, version);
    await eventually(
      async () => {
        const listed = await page(project);
        assert.equal(listed.status, 200);
        const files = ((await listed.json()) as { files: { filename: string; url: string; hashes: { sha256: string } }[] }).files.filter((file) => file.filename === wheel.filename);
        assert.equal(files.length, 1, `${wheel.filename} listed exactly once`);
        assert.equal(files[0]?.hashes.sha256, sha256(wheel.bytes));
        const download = await fetch(new URL(files[0]?.url ?? '/', registry.base), { headers: { authorization: auth } });
        assert.equal(download.status, 200);
        assert.equal(sha256(new Uint8Array(await download.arrayBuffer())), sha256(wheel.bytes));
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `${wheel.filename} installable` },
    );
  };
  /** A crash mid-request: the connection dies (fetch rejects) or a proxy answers 5xx; never a 200. */
  const crashed = async (attempt: Promise<{ response: Response }>): Promise<string> =>
    attempt.then(
      async ({ response }) => {
        await response.arrayBuffer().catch(() => undefined);
        return `status ${response.status}`;
      },
      (error: unknown) => `reset (${error instanceof Error ? error.message : String(error)})`,
    );

  it('F1: killing the broker during 100 concurrent uploads loses no acknowledged upload', async () => {
    let acked = 0;
    let killed: Promise<void> | undefined;
    /** When the broker process was seen to exit (kill -9 resolves once it has). */
    let deadAt: number | undefined;
    const rounds = Array.from({ length: 100 }, (_, i) => ({ project: `fault-kafka-${i}`, version: '1.0' }));
    const results = await Promise.all(
      rounds.map(async (round) => {
        const response = await upload(round.project, round.version);
        await response.arrayBuffer();
        if (response.status === 200 && (acked += 1) === 5) {
          killed = broker.kill?.().then(() => void (deadAt = Date.now())); // kill -9 the broker while most uploads are still in flight
        }
        return { ...round, status: response.status, answeredAt: Date.now() };
      }),
    );
    await killed;
    assert.ok(deadAt !== undefined, 'the broker was killed');
    assert.deepEqual(results.filter((result) => result.status !== 200), [], 'Kafka is not on the acknowledgement path');
    // The premise: most uploads were still in flight when the broker was gone, and were answered after.
    const afterDeath = results.filter((result) => result.answeredAt >= (deadAt ?? Infinity)).length;
    assert.ok(afterDeath >= 50, `only ${afterDeath} of 100 uploads were answered after the broker died`);
    const ok = results.filter((result) => result.status === 200);
    await broker.restart?.();
    // Every acknowledged upload becomes listed and downloadable once the relay has drained.
    await eventually(
      async () => {
        for (const { project } of ok) {
          const listed = await page(project);
          if (listed.status !== 200) {
            return false;
          }
          const files = ((await listed.json()) as { files: { url: string }[] }).files;
          const download = await fetch(new URL(files[0]?.url ?? '/', registry.base), { headers: { authorization: auth } });
          await download.arrayBuffer();
          if (download.status !== 200) {
            return false;
          }
        }
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'every acknowledged upload installable after the broker returned' },
    );
    assert.deepEqual(allAlive(), [], `no service process died\n${lastWords()}`);
  });

  it('F5: with the object store down, uploads get 503, the index keeps serving, nothing is recorded', async () => {
    assert.equal((await upload('fault-s3', '1.0')).status, 200);
    // The premise: 1.0 is on the index before the store stops. The 200 waits for the index only up
    // to its bound (Kafka is off the acknowledgement path), and F1 has just restarted the broker.
    await assertInstallable('fault-s3', '1.0');
    await objects.stop();
    try {
      const refused = await upload('fault-s3', '2.0');
      assert.equal(refused.status, 503, await refused.text());
      assert.ok(refused.headers.get('retry-after'));
      const listed = await page('fault-s3');
      assert.equal(listed.status, 200, 'the simple index is served from Postgres');
      const files = ((await listed.json()) as { files: { filename: string; url: string }[] }).files;
      assert.deepEqual(files.map((file) => file.filename), ['fault_s3-1.0-py3-none-any.whl'], 'the refused upload left no trace');
      const download = await fetch(new URL(files[0]?.url ?? '/', registry.base), { headers: { authorization: auth } });
      assert.equal(download.status, 503, 'never 200 with missing bytes');
      assert.deepEqual(allAlive(), [], `no service process died\n${lastWords()}`);
    } finally {
      await objects.restart?.(); // the store returns with its data, whatever failed above
    }
    // Recovery: the refused upload now succeeds.
    await eventually(async () => (await upload('fault-s3', '2.0')).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: 'the refused upload accepted once the store is back' });
    await assertInstallable('fault-s3', '1.0');
    await assertInstallable('fault-s3', '2.0');
  });

  // Uploads that passed their database read and are writing their blob when Postgres stops: the
  // object store is paused (SIGSTOP) until every one of them has sent its PUT, then Postgres stops,
  // then the store resumes. Each upload stores its blobs and fails at the commit: an orphan pair.
  const stranded = Array.from({ length: 4 }, (_, i) => `fault-pg-${i}`);

  it('F3: with Postgres killed mid-upload, uploads and reads get 503 and no service process dies', async () => {
    assert.equal((await upload('fault-pg-done', '1.0')).status, 200);
    const s3Pid = objects.pids.at(-1) ?? 0;
    const s3Port = Number(new URL(objects.env['QUIVER_TEST_S3_ENDPOINT'] ?? '').port);
    process.kill(s3Pid, 'SIGSTOP');
    let inFlight: Promise<number[]>;
    try {
      inFlight = Promise.all(
        stranded.map(async (project) => {
          const response = await upload(project, '1.0');
          await response.arrayBuffer();
          return response.status;
        }),
      );
      await eventually(() => unreadRequests(s3Port) >= stranded.length, { timeoutMs: 20_000, what: 'every upload waiting on its blob PUT' });
      await database.kill?.(); // `pg_ctl stop -m immediate`: no goodbye to any client
    } finally {
      process.kill(s3Pid, 'SIGCONT');
    }
    assert.deepEqual(await inFlight, stranded.map(() => 503), 'never a 200 for an upload whose commit failed');
    for (const project of stranded) {
      const keys = blobKeysOf(project, '1.0');
      assert.ok((await stored(keys.file)) && (await stored(keys.metadata)), `${project}: the blobs written before the commit failed are orphans now`);
    }
    const refused = await upload('fault-pg', '1.0');
    assert.equal(refused.status, 503, await refused.text());
    assert.ok(refused.headers.get('retry-after'));
    assert.equal((await page('fault-s3')).status, 503);
    const health = await fetch(`${registry.base}/-/upload/health`);
    assert.equal(health.status, 200, 'liveness stays up: the process is fine, its dependency is not');
    assert.deepEqual(allAlive(), [], `no service process died\n${lastWords()}`);
  });

  it('F3: once Postgres is back, the same uploads succeed without restarts and the GC removes the orphans of abandoned ones', async () => {
    await database.restart?.();
    // The pools reconnect on their own: the uploads retried (as twine retries a 503) turn 200.
    const [retried, abandoned] = [stranded.slice(0, 2), stranded.slice(2)];
    for (const project of [...retried, 'fault-pg', 'fault-pg-done']) {
      await eventually(async () => (await upload(project, '1.0')).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: `${project} accepted after Postgres returned` });
    }
    for (const project of [...retried, 'fault-pg', 'fault-pg-done']) {
      await assertInstallable(project, '1.0');
      assert.deepEqual(await recorded(project), { events: 2, files: 1 }, `${project}: one project, one file (the retry of a committed upload is a no-op)`);
    }
    for (const project of abandoned) {
      assert.deepEqual(await recorded(project), { events: 0, files: 0 });
    }

    // The abandoned attempts' blobs are the only orphans; the retried ones' are referenced again.
    const gc = await admin('/api/maintenance/gc?graceSeconds=0');
    assert.equal(gc.status, 200, await gc.clone().text());
    const result = (await gc.json()) as { graceSeconds: number; scanned: number; kept: number; removed: string[] };
    const orphans = abandoned.flatMap((project) => [blobKeysOf(project, '1.0').file, blobKeysOf(project, '1.0').metadata]);
    assert.deepEqual([...result.removed].sort(), [...orphans].sort());
    assert.equal(result.graceSeconds, 0);
    assert.equal(result.kept + result.removed.length, result.scanned);
    for (const key of orphans) {
      assert.equal(await stored(key), false, `${key} removed`);
    }
    for (const project of retried) {
      assert.ok(await stored(blobKeysOf(project, '1.0').file), `${project}: a referenced blob is kept`);
    }
    // A GC with the configured grace keeps everything young, and an abandoned upload can still be re-run.
    const graced = (await (await admin('/api/maintenance/gc')).json()) as { graceSeconds: number; removed: string[] };
    assert.deepEqual([graced.graceSeconds, graced.removed], [3600, []]);
    for (const project of abandoned) {
      assert.equal((await upload(project, '1.0')).status, 200);
      await assertInstallable(project, '1.0');
    }
    assert.deepEqual(allAlive(), [], `no service process died or was restarted\n${lastWords()}`);
  });

  it('F7: an upload process killed after its blob PUT leaves only an orphan blob; the GC removes it and a re-run succeeds', async () => {
    const faulty = await registry.startExtra('upload', { QUIVER_FAULT_POINT: 'after_blob_put' });
    const exited = once(faulty.started.child, 'exit');
    const outcome = await crashed(publishWheel(faulty.base, auth, 'fault-crash-blob', '1.0'));
    assert.match(outcome, /^reset/, 'the client sees the connection die, not an answer');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL');

    const keys = blobKeysOf('fault-crash-blob', '1.0');
    assert.deepEqual(await recorded('fault-crash-blob'), { events: 0, files: 0 }, 'no event, no filename registry row');
    assert.equal((await page('fault-crash-blob')).status, 404, 'no page');
    assert.ok((await stored(keys.file)) && (await stored(keys.metadata)), 'the orphan blobs are in the bucket');

    const gc = await quiverCli(registry.base, registry.token, ['gc', '--grace-seconds', '0']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.deepEqual(
      gc.stdout.split('\n').filter((line) => line.startsWith('removed ')).sort(),
      [`removed ${keys.file}`, `removed ${keys.metadata}`].sort(),
    );
    assert.equal((await stored(keys.file)) || (await stored(keys.metadata)), false);

    const rerun = await upload('fault-crash-blob', '1.0');
    assert.equal(rerun.status, 200, await rerun.text());
    await assertInstallable('fault-crash-blob', '1.0');
    assert.deepEqual(allAlive(), [], `the other service processes are unaffected\n${lastWords()}`);
  });

  it('F7: an upload process killed after its commit, before answering: the file is recorded and a re-run is a 200 no-op', async () => {
    const faulty = await registry.startExtra('upload', { QUIVER_FAULT_POINT: 'after_db_commit_before_response' });
    const exited = once(faulty.started.child, 'exit');
    const outcome = await crashed(publishWheel(faulty.base, auth, 'fault-crash-commit', '1.0'));
    assert.match(outcome, /^reset/, 'the client sees the connection die, not an answer');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL');
    assert.deepEqual(await recorded('fault-crash-commit'), { events: 2, files: 1 }, 'the commit happened');

    const rerun = await upload('fault-crash-commit', '1.0');
    assert.equal(rerun.status, 200, `the user's re-run is a no-op, not a 400/409: ${await rerun.text()}`);
    assert.deepEqual(await recorded('fault-crash-commit'), { events: 2, files: 1 }, 'the re-run changed nothing');
    await assertInstallable('fault-crash-commit', '1.0'); // the surviving relays published the event
    assert.deepEqual(allAlive(), [], `the other service processes are unaffected\n${lastWords()}`);
  });

  it('reconcile: every live file checks out; an object removed or damaged out of band is reported exactly', async () => {
    const [files] = await uploadDb<{ n: number }>('SELECT count(*)::int AS n FROM quiver_upload.file_registry');
    const clean = await admin('/api/maintenance/reconcile');
    assert.equal(clean.status, 200);
    assert.deepEqual(await clean.json(), { checked: 2 * (files?.n ?? 0), missing: [], corrupt: [] }, 'every wheel and its metadata sidecar');

    const lost = blobKeysOf('fault-crash-blob', '1.0');
    await bucketClient.removeObject(bucket, lost.file);
    const damaged = blobKeysOf('fault-crash-commit', '1.0');
    const original = buildWheel('fault-crash-commit', '1.0').metadata;
    await bucketClient.putObject(bucket, damaged.metadata, Buffer.from(original.replace('test wheel', 'evil wheel')));

    const report = (await (await admin('/api/maintenance/reconcile')).json()) as { checked: number; missing: unknown[]; corrupt: unknown[] };
    assert.deepEqual(report, {
      checked: 2 * (files?.n ?? 0),
      missing: [{ project: 'fault-crash-blob', filename: lost.filename, blobKey: lost.file }],
      corrupt: [{ project: 'fault-crash-commit', filename: `${damaged.filename}.metadata`, blobKey: damaged.metadata }],
    });
    const alerts = ['upload-1', 'upload-2'].map((name) => registry.instances.get(name)?.output() ?? '').join('');
    assert.match(alerts, new RegExp(`ALERT blob integrity: missing ${lost.file}`));
    assert.match(alerts, new RegExp(`ALERT blob integrity: corrupt ${damaged.metadata} .*\\(sha256 [0-9a-f]{64}, recorded ${sha256(original)}\\)`));
    assert.doesNotMatch(alerts, new RegExp(registry.token), 'no secret in the logs');

    const cli = await quiverCli(registry.base, registry.token, ['reconcile']);
    assert.equal(cli.code, 1, 'findings make the CLI fail');
    assert.match(cli.stdout, new RegExp(`^MISSING fault-crash-blob ${lost.filename} ${lost.file}$`, 'm'));
    assert.match(cli.stdout, new RegExp(`^CORRUPT fault-crash-commit ${damaged.filename}\\.metadata ${damaged.metadata}$`, 'm'));
    assert.match(cli.stdout, /1 missing, 1 corrupt/);
  });
});
