/**
 * HEAD is GET without the content on every index route of the embedded registry (issue 14,
 * Done-when 2): same status and the same headers (`Content-Length`, `Content-Range`, `ETag`,
 * `Content-Type`, `Vary`, `Cache-Control`, `X-PyPI-Last-Serial`, `Location`…), for pages in every
 * format, the JSON API, files whole, ranged and conditional, `.metadata`, redirects, 304, 404, 416
 * and 401. The same check runs through the distributed front door in
 * `read-your-writes.e2e.spec.ts` (it shares that suite's registry).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { assertHeadAsGet } from './support/head.js';

describe('HEAD answers as GET does, without the body (embedded)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-head-'));
  let registry: EmbeddedRegistry;

  before(async () => {
    registry = await startEmbedded(work);
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('sends the status and headers a GET sends on every page, JSON, file and metadata route', async () => {
    await assertHeadAsGet(registry.base, registry.auth, 'head-demo');
  });
});
