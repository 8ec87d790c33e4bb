/**
 * Projections are disposable (issue Done-when 4): replaying the upload service's event store into
 * an empty schema gives a read model identical, row for row, to the live one the index built from
 * Kafka, in distributed mode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectionRowHash, rebuildIndexProjection } from '@quiver/index-feature-service';
import { PgDatabase } from '@quiver/shared-data-access-db';
import { EventStore } from '@quiver/shared-data-access-event-store';
import { eventually, requireEnv, uniqueName } from '@quiver/shared-testing';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { basicToken, publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('projection rebuild (distributed mode)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-rebuild-'));
  let registry: DistributedRegistry;
  let auth: string;

  before(async () => {
    registry = await startDistributed(root, work);
    auth = basicToken(registry.token);
  });

  after(async () => {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function publish(project: string, version: string): Promise<void> {
    const { response } = await publishWheel(registry.base, auth, project, version);
    assert.equal(response.status, 200, await response.text());
  }

  it('replays the event store into an empty schema and gets the live rows back', async () => {
    const project = uniqueName('rebuild');
    for (const version of ['1.0', '1.1', '2.0']) {
      await publish(project, version);
    }
    const admin = (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`${registry.base}${path}`, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    assert.equal((await admin('POST', `/api/packages/${project}/releases/1.1/yank`, { reason: 'bad' })).status, 200);
    assert.equal((await admin('DELETE', `/api/packages/${project}/files/${project.replaceAll('-', '_')}-1.0-py3-none-any.whl`)).status, 200);
    // Upload policy events reach the index too, which records them and serves nothing new.
    assert.equal((await admin('PUT', `/api/packages/${project}/settings`, { closeReleasesAfter: '14d' })).status, 200);

    const url = requireEnv('QUIVER_TEST_PG_URL');
    const upload = new PgDatabase({ connectionString: url, schema: 'quiver_upload' });
    const live = new PgDatabase({ connectionString: url, schema: 'quiver_index' });
    const shadowSchema = uniqueName('index_rebuild').replaceAll('-', '_');
    await live.query(`CREATE SCHEMA ${shadowSchema}`);
    const shadow = new PgDatabase({ connectionString: url, schema: shadowSchema });
    try {
      // The live projection catches up asynchronously with the last relayed event.
      const total = Number((await upload.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n);
      await eventually(async () => Number((await live.query<{ n: string }>('SELECT count(*)::text AS n FROM index_processed_events')).rows[0]?.n) === total, { what: 'live projection caught up', timeoutMs: 30_000 });
      assert.equal(await rebuildIndexProjection(shadow, new EventStore(upload).readAll(100)), total);
      assert.equal(await projectionRowHash(shadow), await projectionRowHash(live));
    } finally {
      await Promise.all([upload.close(), live.close(), shadow.close()]);
    }
  });
});
