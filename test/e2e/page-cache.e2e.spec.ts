/**
 * The page cache (ADR 11) bounded by bytes: with a budget smaller than the registry, and with none,
 * every `/simple/<project>/` page is still exactly the project's files, and an upload shows at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { publishWheel } from './support/publish.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
const PROJECTS = 24;

for (const budget of ['8192', '0']) {
  describe(`project pages with QUIVER_PAGE_CACHE_BYTES=${budget} (embedded)`, () => {
    const work = mkdtempSync(join(tmpdir(), 'quiver-page-cache-'));
    let registry: EmbeddedRegistry;
    const published = new Map<string, Map<string, string>>(); // project → filename → sha256

    const publish = async (project: string, version: string): Promise<void> => {
      const { response, filename, sha256 } = await publishWheel(registry.base, registry.auth, project, version);
      assert.equal(response.status, 200, await response.text());
      published.set(project, (published.get(project) ?? new Map<string, string>()).set(filename, sha256));
    };

    /** The page in both representations lists exactly the files published to `project`, with their digests. */
    const assertPage = async (project: string): Promise<void> => {
      const expected = [...(published.get(project) ?? new Map<string, string>())].sort();
      const html = await fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: registry.auth, accept: 'text/html' } });
      assert.equal(html.status, 200);
      const anchors = [...(await html.text()).matchAll(/href="[^"]*\/([^/"#]+)#sha256=([0-9a-f]{64})"/g)].map((m) => [m[1], m[2]]).sort();
      assert.deepEqual(anchors, expected, `HTML page of ${project}`);
      const json = await fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: registry.auth, accept: JSON_V1 } });
      assert.equal(json.status, 200);
      const files = ((await json.json()) as { files: { filename: string; hashes: { sha256: string } }[] }).files.map((f) => [f.filename, f.hashes.sha256]).sort();
      assert.deepEqual(files, expected, `JSON page of ${project}`);
    };

    before(async () => {
      registry = await startEmbedded(work, { QUIVER_PAGE_CACHE_BYTES: budget });
      for (let i = 0; i < PROJECTS; i += 1) {
        await publish(`cached-${i}`, '1.0');
      }
    });

    after(async () => {
      const code = await registry.stop();
      rmSync(work, { recursive: true, force: true });
      assert.equal(code, 0, registry.started.output());
    });

    it('serves every page right while more pages are read than the budget holds', async () => {
      for (let pass = 0; pass < 3; pass += 1) {
        for (let i = 0; i < PROJECTS; i += 1) {
          await assertPage(`cached-${i}`);
        }
        await assertPage('cached-0'); // read often: the page the second chance keeps
      }
    });

    it('shows an upload at once, for a page held and for one too large to hold', async () => {
      await assertPage('cached-0');
      await publish('cached-0', '2.0');
      await assertPage('cached-0');
      for (const version of ['2.0', '3.0', '4.0']) {
        await publish('cached-1', version); // four files: over an eighth of 8 KiB, never held
      }
      await assertPage('cached-1');
      await publish('cached-1', '5.0');
      await assertPage('cached-1');
    });
  });
}
