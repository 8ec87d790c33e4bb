/**
 * Blob maintenance on the embedded registry (filesystem blob store): the periodic orphan GC takes
 * only unreferenced objects older than the grace, the on-demand GC and reconcile answer the admin
 * token only and refuse a nonsensical grace, and reconcile reports a damaged or missing object.
 * The distributed (S3) side, with the crashes that make orphans, is in faults.e2e.spec.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { freePort, startProcess, stopProcess, waitForHttp, type Started } from './support/process.js';
import { basicToken, publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const shard = (prefix: string, digest: string): string => `${prefix}/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`;

describe('blob maintenance on the embedded registry (orphan GC, reconcile)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-maintenance-'));
  const dataDir = join(work, 'data');
  const blobPath = (key: string): string => join(dataDir, 'blobs', ...key.split('/'));
  let registry: Started;
  let base: string;
  let auth: string;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    registry = startProcess(
      process.execPath,
      ['apps/embedded/dist/main.js'],
      { QUIVER_PORT: String(port), QUIVER_DATA_DIR: dataDir, QUIVER_NEW_PROJECTS_PER_HOUR: '0', QUIVER_GC_INTERVAL_SECONDS: '1', QUIVER_ORPHAN_GRACE_SECONDS: '600' },
      root,
    );
    await waitForHttp(`${base}/-/upload/health`, registry);
    auth = basicToken(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
  });

  after(async () => {
    assert.equal(await stopProcess(registry), 0, registry.output());
    rmSync(work, { recursive: true, force: true });
  });

  const post = (path: string, headers: Record<string, string> = { authorization: auth }): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { accept: 'application/json', ...headers } });

  /** Stores `text` under `key` behind the registry's back, last written `ageSeconds` ago. */
  const plant = (key: string, text: string, ageSeconds: number): void => {
    mkdirSync(join(blobPath(key), '..'), { recursive: true });
    writeFileSync(blobPath(key), text);
    const when = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(blobPath(key), when, when);
  };

  it('the periodic GC removes an old orphan and keeps a young one and every referenced blob', async () => {
    assert.equal((await publishWheel(base, auth, 'kept-demo', '1.0')).response.status, 200);
    const wheel = buildWheel('kept-demo', '1.0');
    const referenced = [shard('files', sha256(wheel.bytes)), shard('metadata', sha256(wheel.metadata))];
    // A referenced blob last written long ago stays: age alone never makes an orphan.
    for (const key of referenced) {
      utimesSync(blobPath(key), new Date(Date.now() - 7200_000), new Date(Date.now() - 7200_000));
    }
    const old = shard('files', sha256('old orphan'));
    const young = shard('metadata', sha256('young orphan'));
    const outside = 'elsewhere/not-a-blob';
    plant(old, 'old orphan', 7200);
    plant(young, 'young orphan', 10);
    plant(outside, 'not under the blob prefixes', 7200);
    await eventually(() => !existsSync(blobPath(old)), { timeoutMs: 15_000, intervalMs: 100, what: 'the periodic GC removing the old orphan' });
    assert.ok(existsSync(blobPath(young)), 'younger than the grace: kept');
    assert.ok(existsSync(blobPath(outside)), 'only the blob prefixes are collected');
    for (const key of referenced) {
      assert.ok(existsSync(blobPath(key)), `${key} is referenced: kept`);
    }
  });

  it('the on-demand GC takes the admin token and a sane grace only', async () => {
    const anonymous = await post('/api/maintenance/gc', {});
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="quiver"');
    const wrong = await post('/api/maintenance/gc', { authorization: basicToken(`qvr_${'x'.repeat(49)}`) });
    assert.equal(wrong.status, 401);
    for (const grace of ['-1', 'soon', '1.5', '99999999999']) {
      const refused = await post(`/api/maintenance/gc?graceSeconds=${grace}`);
      assert.equal(refused.status, 400, grace);
      assert.match(((await refused.json()) as { detail: string }).detail, /graceSeconds must be a whole number of seconds/);
    }
    assert.equal((await post('/api/maintenance/reconcile', {})).status, 401);
    const young = shard('metadata', sha256('young orphan'));
    const drill = await post('/api/maintenance/gc?graceSeconds=0');
    assert.equal(drill.status, 200);
    const result = (await drill.json()) as { graceSeconds: number; scanned: number; kept: number; removed: string[] };
    assert.deepEqual(result, { graceSeconds: 0, scanned: 3, kept: 2, removed: [young] });
  });

  it('reconcile reports a damaged and a missing object, by project and filename', async () => {
    assert.equal((await publishWheel(base, auth, 'rot-demo', '1.0')).response.status, 200);
    const clean = await post('/api/maintenance/reconcile');
    assert.deepEqual(await clean.json(), { checked: 4, missing: [], corrupt: [] });

    const rotten = buildWheel('rot-demo', '1.0');
    const fileKey = shard('files', sha256(rotten.bytes));
    const metadataKey = shard('metadata', sha256(rotten.metadata));
    const flipped = Buffer.from(rotten.bytes);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0xff, flipped.length - 1); // same size, other bytes
    writeFileSync(blobPath(fileKey), flipped);
    rmSync(blobPath(metadataKey));
    const report = (await (await post('/api/maintenance/reconcile')).json()) as { checked: number; missing: unknown[]; corrupt: unknown[] };
    assert.equal(report.checked, 4);
    assert.deepEqual(report.missing, [{ project: 'rot-demo', filename: `${rotten.filename}.metadata`, blobKey: metadataKey }]);
    assert.deepEqual(report.corrupt, [{ project: 'rot-demo', filename: rotten.filename, blobKey: fileKey }]);
    assert.ok(
      registry.output().includes(`ALERT blob integrity: corrupt ${fileKey} for rot-demo ${rotten.filename} (sha256 ${sha256(flipped)}, recorded ${sha256(rotten.bytes)})`),
      'one alert line per finding, saying what is wrong',
    );
    assert.ok(registry.output().includes(`ALERT blob integrity: missing ${metadataKey} for rot-demo ${rotten.filename}.metadata (missing)`));
  });
});
