/**
 * RELIABILITY.md F1, F5 and F3 in distributed mode: with the object store or the database stopped,
 * uploads get 503 (never a 200 for anything not stored), no service process dies, and what does
 * not need the stopped dependency keeps working. The registry runs on its own Postgres and S3
 * instances, started here from the harness definitions so the test can stop them.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@quiver/shared-testing';
import { HarnessContext } from '../harness/context.js';
import type { RunningService } from '../harness/service.js';
import { kafka } from '../harness/services/kafka.js';
import { postgres } from '../harness/services/postgres.js';
import { s3 } from '../harness/services/s3.js';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { basicToken, publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('dependency faults in distributed mode (RELIABILITY F1, F5, F3)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-faults-'));
  chmodSync(work, 0o711); // the postgres user must reach its data directory below
  const ctx = new HarnessContext(join(work, 'services'));
  let database: RunningService;
  let objects: RunningService;
  let broker: RunningService;
  let registry: DistributedRegistry;
  let auth: string;

  before(async () => {
    [database, objects, broker] = await Promise.all([postgres.start(ctx), s3.start(ctx), kafka.start(ctx)]);
    registry = await startDistributed(root, work, 2, {
      QUIVER_KAFKA_BROKERS: broker.env['QUIVER_TEST_KAFKA_BROKERS'] ?? '',
      QUIVER_DATABASE_URL: database.env['QUIVER_TEST_PG_URL'] ?? '',
      QUIVER_S3_ENDPOINT: objects.env['QUIVER_TEST_S3_ENDPOINT'] ?? '',
      QUIVER_S3_ACCESS_KEY: objects.env['QUIVER_TEST_S3_ACCESS_KEY'] ?? '',
      QUIVER_S3_SECRET_KEY: objects.env['QUIVER_TEST_S3_SECRET_KEY'] ?? '',
    });
    auth = basicToken(registry.token);
  });

  after(async () => {
    await registry.stop();
    await Promise.all([database.stop(), objects.stop(), broker.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  const upload = async (project: string, version: string): Promise<Response> => (await publishWheel(registry.base, auth, project, version)).response;
  const page = (project: string): Promise<Response> => fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: auth, accept: 'application/vnd.pypi.simple.v1+json' } });
  const allAlive = (): string[] => [...registry.instances.entries()].filter(([, started]) => started.child.exitCode !== null).map(([name]) => name);

  it('F1: killing the broker during 100 concurrent uploads loses no acknowledged upload', async () => {
    let acked = 0;
    let killed: Promise<void> | undefined;
    const rounds = Array.from({ length: 100 }, (_, i) => ({ project: `fault-kafka-${i}`, version: '1.0' }));
    const results = await Promise.all(
      rounds.map(async (round) => {
        const response = await upload(round.project, round.version);
        await response.arrayBuffer();
        if (response.status === 200 && (acked += 1) === 5) {
          killed = broker.kill?.(); // kill -9 the broker while most uploads are still in flight
        }
        return { ...round, status: response.status };
      }),
    );
    await killed;
    const ok = results.filter((result) => result.status === 200);
    assert.deepEqual(results.filter((result) => result.status !== 200), [], 'Kafka is not on the acknowledgement path');
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
    assert.deepEqual(allAlive(), [], 'no service process died');
  });

  it('F5: with the object store down, uploads get 503, the index keeps serving, nothing is recorded', async () => {
    assert.equal((await upload('fault-s3', '1.0')).status, 200);
    await objects.stop();
    const refused = await upload('fault-s3', '2.0');
    assert.equal(refused.status, 503, await refused.text());
    assert.ok(refused.headers.get('retry-after'));
    const listed = await page('fault-s3');
    assert.equal(listed.status, 200, 'the simple index is served from Postgres');
    const files = ((await listed.json()) as { files: { filename: string; url: string }[] }).files;
    assert.deepEqual(files.map((file) => file.filename), ['fault_s3-1.0-py3-none-any.whl'], 'the refused upload left no trace');
    const download = await fetch(new URL(files[0]?.url ?? '/', registry.base), { headers: { authorization: auth } });
    assert.equal(download.status, 503, 'never 200 with missing bytes');
    assert.deepEqual(allAlive(), [], 'no service process died');
  });

  it('F3: with Postgres down, uploads and reads get 503 and no service process dies', async () => {
    await database.stop();
    const refused = await upload('fault-pg', '1.0');
    assert.equal(refused.status, 503, await refused.text());
    assert.equal((await page('fault-s3')).status, 503);
    const health = await fetch(`${registry.base}/-/upload/health`);
    assert.equal(health.status, 200, 'liveness stays up: the process is fine, its dependency is not');
    assert.deepEqual(allAlive(), [], 'no service process died');
  });
});
