import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { distributedEnv } from './support/distributed.js';
import { freePort, startProcess, stopProcess, waitForHttp } from './support/process.js';

const root = join(import.meta.dirname, '..', '..', '..');
const services = ['index', 'upload', 'auth', 'audit'] as const;

describe('npm start: the embedded registry', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'quiver-e2e-')), 'data');
  after(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('runs all four services in one process on one port, then stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    // The same entry point `npm start` uses (install check, build, then the embedded app on Node 24).
    const started = startProcess(process.execPath, ['tools/bootstrap.mjs', 'start'], { QUIVER_PORT: String(port), QUIVER_DATA_DIR: dataDir, QUIVER_NEW_PROJECTS_PER_HOUR: '0' }, root);
    try {
      for (const service of services) {
        const response = await waitForHttp(`http://127.0.0.1:${port}/-/${service}/health`, started);
        const body = (await response.json()) as { service: string; status: string };
        assert.equal(body.status, 'ok');
        assert.equal(body.service, service);
      }
      assert.equal(statSync(dataDir).mode & 0o777, 0o700, 'the data directory is private to its owner');
    } finally {
      assert.equal(await stopProcess(started), 0, started.output());
    }
  });
});

describe('distributed mode: each service as its own process against the real dependencies', () => {
  for (const service of services) {
    it(`${service} answers its own health endpoint and no other service's`, async () => {
      const port = await freePort();
      const started = startProcess(process.execPath, [`apps/${service}/dist/main.js`], { ...distributedEnv(), QUIVER_INDEX_URL: 'http://127.0.0.1:9', QUIVER_UPLOAD_URL: 'http://127.0.0.1:9', QUIVER_AUTH_URL: 'http://127.0.0.1:9', QUIVER_PORT: String(port) }, root);
      try {
        const response = await waitForHttp(`http://127.0.0.1:${port}/-/${service}/health`, started);
        assert.equal(((await response.json()) as { service: string }).service, service);
        const other = services.find((name) => name !== service) ?? 'index';
        assert.equal((await fetch(`http://127.0.0.1:${port}/-/${other}/health`)).status, 404);
      } finally {
        assert.equal(await stopProcess(started), 0, started.output());
      }
    });
  }

  it('refuses to start without its dependencies, listing every missing setting and echoing no secret', async () => {
    const started = startProcess(
      process.execPath,
      ['apps/upload/dist/main.js'],
      { QUIVER_MODE: 'distributed', QUIVER_DATABASE_URL: 'postgres://quiver:hunter2@ not a url', QUIVER_KAFKA_BROKERS: '', QUIVER_PORT: '0' },
      root,
    );
    const code = await new Promise<number | null>((resolve) => started.child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(started.output(), /QUIVER_DATABASE_URL must be a URL/);
    assert.match(started.output(), /QUIVER_KAFKA_BROKERS is required/);
    assert.doesNotMatch(started.output(), /hunter2/);
  });
});
