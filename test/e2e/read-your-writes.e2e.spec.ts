/**
 * Read-your-writes in distributed mode (issue Done-when 3): an install that starts after an upload
 * returned 200 sees the file, for 500 consecutive rounds, through the front door with two
 * instances of every service. Each round fetches the project page with pip's Accept header,
 * downloads the new file and checks its sha256, exactly as pip does; every 25th round also runs
 * real `pip download`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { assertHeadAsGet } from './support/head.js';
import { basicToken, publishWheel } from './support/publish.js';
import { runPython } from './support/python.js';

const root = join(import.meta.dirname, '..', '..', '..');
const ROUNDS = 500;
const PIP_EVERY = 25;
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

describe('read-your-writes through the front door (distributed mode)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-ryw-'));
  let registry: DistributedRegistry;
  let auth: string;

  before(async () => {
    registry = await startDistributed(root, work);
    auth = basicToken(registry.token);
  });

  after(async () => {
    const clean = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.ok(clean, 'every service stopped cleanly');
  });

  it(`sees every acknowledged upload at once, ${ROUNDS} rounds in a row`, async () => {
    const misses: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const project = `ryw-${Math.ceil(round / 50)}`;
      const { response: upload, filename, sha256 } = await publishWheel(registry.base, auth, project, `1.0.${round}`);
      assert.equal(upload.status, 200, `round ${round}: ${await upload.text()}`);

      const page = await fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: auth, accept: PIP_ACCEPT, 'cache-control': 'max-age=0' } });
      const files = page.status === 200 ? ((await page.json()) as { files: { filename: string; url: string; hashes: { sha256: string } }[] }).files : [];
      const listed = files.find((file) => file.filename === filename);
      if (!listed || listed.hashes.sha256 !== sha256) {
        misses.push(`round ${round}: ${filename} not listed`);
        continue;
      }
      const download = await fetch(new URL(listed.url, registry.base), { headers: { authorization: auth } });
      const bytes = Buffer.from(await download.arrayBuffer());
      if (download.status !== 200 || createHash('sha256').update(bytes).digest('hex') !== sha256) {
        misses.push(`round ${round}: ${filename} not downloadable (${download.status})`);
      }
      if (round % PIP_EVERY === 0) {
        const dir = join(work, `pip-${round}`);
        const index = registry.base.replace('http://', `http://__token__:${registry.token}@`);
        const pip = await runPython('pip', ['download', '--no-deps', '--index-url', `${index}/simple/`, '-d', dir, `${project}==1.0.${round}`], { cwd: work });
        if (pip.code !== 0 || !existsSync(join(dir, filename))) {
          misses.push(`round ${round}: pip download failed: ${pip.output.slice(-500)}`);
        }
      }
    }
    assert.deepEqual(misses, [], `${misses.length} of ${ROUNDS} rounds missed`);
  });

  it('answers HEAD through the front door with the status and headers a GET sends (issue 14, Done-when 2; see head.e2e.spec.ts)', async () => {
    await assertHeadAsGet(registry.base, auth, 'ryw-head');
  });
});
