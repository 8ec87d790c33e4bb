/**
 * Principals, grants and tokens (ARCHITECTURE §5) against the running registry, in both modes: the
 * administrator issues a token for a second principal through the auth service's admin API, and
 * upload and index authorise it from their own access projections. Covers BAD-INPUT 45 (no role on
 * the project: 403 before anything about its files is compared or revealed, nothing stored) and the
 * second half of 49 (a valid identity without read permission gets the 404 of a project that does
 * not exist).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { countFiles, distributionFields, listTree, startEmbedded, upload, type EmbeddedRegistry } from './support/bad-input.js';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { grant, grantPath, issueToken, type Issued } from './support/access.js';
import { basicToken } from './support/publish.js';
import { runPython } from './support/python.js';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const root = join(import.meta.dirname, '..', '..', '..');
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const json = { 'content-type': 'application/json' };

interface Registry {
  readonly base: string;
  /** The administrator token, and its Basic header. */
  readonly token: string;
  readonly auth: string;
  /** Everything the registry's processes printed so far. */
  output(): string;
  /** Stored blobs: files of the embedded blob directory, or objects of the distributed bucket. */
  blobCount(): Promise<number>;
  /** What is left in the upload temp directories. */
  leftovers(): string[];
}

function wheelOf(project: string, version = '1.0', variant = 'a'): { name: string; bytes: Uint8Array } {
  const wheel = buildWheel(project, version, { extra: [{ name: `${project.replace(/-/g, '_')}/variant.txt`, data: Buffer.from(variant) }] });
  return { name: wheel.filename, bytes: wheel.bytes };
}

async function publishAs(registry: Registry, auth: string, project: string, variant = 'a'): Promise<{ status: number; reason: string; body: string }> {
  const part = wheelOf(project, '1.0', variant);
  return upload({ base: registry.base, auth }, distributionFields(part, { name: project }), part);
}

const read = (registry: Registry, path: string, auth: string, accept = 'text/html'): Promise<Response> =>
  fetch(new URL(path, registry.base), { headers: { authorization: auth, accept }, redirect: 'manual' });

/** The same checks in both modes; `names` keeps principals and projects apart from earlier runs on shared stores. */
function accessSuite(mode: string, start: () => Promise<Registry & { stop(): Promise<boolean> }>, names: { user: string; project: string }): void {
  describe(`principals, grants and tokens (${mode})`, () => {
    let registry: Registry & { stop(): Promise<boolean> };
    let user: Issued;
    let userAuth: string;
    const { project } = names;
    const own = `${names.user}-tool`;
    let fileUrl = '';

    before(async () => {
      registry = await start();
      const published = await publishAs(registry, registry.auth, project);
      assert.equal(published.status, 200, published.body);
      const page = await read(registry, `/simple/${project}/`, registry.auth, SIMPLE_JSON);
      fileUrl = ((await page.json()) as { files: { url: string }[] }).files[0]?.url ?? '';
      user = await issueToken(registry, names.user, 'laptop');
      userAuth = basicToken(user.token);
    });

    after(async () => {
      assert.ok(await registry.stop(), 'every process stopped cleanly');
    });

    it('refuses an upload by a user with no role on the project with 403, before anything about its files is compared, and stores nothing (BAD-INPUT 45)', async () => {
      const message = `The user '${names.user}' isn't allowed to upload to project '${project}'. See \`quiver grant --help\` for more information.`;
      // A user who may publish somewhere, only not here (one who may publish nowhere is refused before the body: upload-hardening).
      await grant(registry, names.user, 'developer', `${names.user}-elsewhere`);
      const before = await (await read(registry, `/pypi/${project}/json`, registry.auth)).text();
      const blobs = await registry.blobCount();
      for (const [variant, what] of [['a', 'identical bytes'], ['b', 'conflicting bytes']] as const) {
        const result = await publishAs(registry, userAuth, project, variant);
        assert.equal(result.status, 403, `${what}: ${result.body}`);
        assert.equal(result.body.trim(), message, what);
        assert.equal(result.reason, message, `${what}: the reason phrase twine and poetry print`);
        assert.doesNotMatch(result.body, /already exists|previously used|sha256|\.whl/i, `${what}: nothing about the project's files`);
      }
      const problem = await upload({ base: registry.base, auth: userAuth }, distributionFields(wheelOf(project), { name: project }), wheelOf(project), { accept: 'application/json' });
      assert.equal(problem.status, 403);
      assert.deepEqual(JSON.parse(problem.body), { type: 'about:blank', title: 'Forbidden', status: 403, detail: message, code: 'forbidden' });
      assert.equal(await (await read(registry, `/pypi/${project}/json`, registry.auth)).text(), before, 'the project did not change');
      assert.ok(blobs > 0, 'the published wheel is counted');
      assert.equal(await registry.blobCount(), blobs, 'no blob was stored');
      assert.deepEqual(registry.leftovers(), [], 'nothing was left in the upload temp directory');

      const created = await publishAs(registry, userAuth, own);
      assert.equal(created.status, 403, created.body);
      assert.equal(created.body.trim(), `The user '${names.user}' isn't allowed to upload to project '${own}'. See \`quiver grant --help\` for more information.`);
      assert.equal((await read(registry, `/simple/${own}/`, registry.auth)).status, 404, 'no project was created');
      await grant(registry, names.user, 'developer', `${names.user}-elsewhere`, 'DELETE');
    });

    it('answers a user without read permission exactly as for a project that does not exist (BAD-INPUT 49)', async () => {
      const missing = `${project}-missing`;
      const pairs: [string, string][] = [
        [`/simple/${project}/`, `/simple/${missing}/`],
        [`/pypi/${project}/json`, `/pypi/${missing}/json`],
        [`/pypi/${project}/1.0/json`, `/pypi/${missing}/1.0/json`],
        [fileUrl, `/files/${'0'.repeat(64)}/${missing}-1.0-py3-none-any.whl`],
        [`${fileUrl}.metadata`, `/files/${'0'.repeat(64)}/${missing}-1.0-py3-none-any.whl.metadata`],
      ];
      for (const [hidden, absent] of pairs) {
        for (const accept of ['text/html', SIMPLE_JSON]) {
          const [a, b] = await Promise.all([read(registry, hidden, userAuth, accept), read(registry, absent, userAuth, accept)]);
          assert.equal(a.status, 404, `${hidden} (${accept})`);
          assert.deepEqual([a.status, a.headers.get('content-type'), await a.text()], [b.status, b.headers.get('content-type'), await b.text()], `${hidden} looks like ${absent}`);
          assert.match(a.headers.get('vary') ?? '', /Authorization/);
        }
      }
      const listing = await read(registry, '/simple/', userAuth, SIMPLE_JSON);
      assert.equal(listing.status, 200);
      assert.deepEqual(((await listing.json()) as { projects: unknown[] }).projects, [], 'the listing shows no project the user may not install');
      const anonymous = await fetch(new URL(`/simple/${project}/`, registry.base));
      assert.equal(anonymous.status, 401, 'no credentials still get the Basic challenge');
      assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="quiver"');
    });

    it('lets a reader grant open the project to installs only, and a developer grant on a prefix open publishing', async () => {
      await grant(registry, names.user, 'reader', project);
      for (const path of [`/simple/${project}/`, `/pypi/${project}/json`, fileUrl, `${fileUrl}.metadata`]) {
        const response = await read(registry, path, userAuth);
        await response.arrayBuffer();
        assert.equal(response.status, 200, path);
      }
      const listing = (await (await read(registry, '/simple/', userAuth, SIMPLE_JSON)).json()) as { projects: { name: string }[] };
      assert.deepEqual(listing.projects.map((p) => p.name), [project], 'the listing shows only what the user may install');
      const stillRefused = await publishAs(registry, userAuth, project, 'b');
      assert.equal(stillRefused.status, 403, 'a reader does not publish');
      const yank = await fetch(`${registry.base}/api/packages/${project}/releases/1.0/yank`, { method: 'POST', headers: { authorization: userAuth, ...json }, body: '{}' });
      assert.equal(yank.status, 403, 'a reader does not yank');
      assert.match(await yank.text(), new RegExp(`The user '${names.user}' isn't allowed to manage releases of project '${project}'`));

      await grant(registry, names.user, 'developer', `${names.user}-*`);
      const published = await publishAs(registry, userAuth, own);
      assert.equal(published.status, 200, published.body);
      const page = await read(registry, `/simple/${own}/`, userAuth);
      assert.equal(page.status, 200, 'read-your-writes for the new project');
      const info = (await (await read(registry, `/pypi/${own}/json`, registry.auth)).json()) as { info: { name: string } };
      assert.equal(info.info.name, own);
    });

    it('keeps the admin API for administrators, refuses bad grants with 400, and never shows a secret again', async () => {
      const asUser = await fetch(`${registry.base}/api/auth/principals/${names.user}/tokens`, { method: 'POST', headers: { authorization: userAuth, ...json }, body: '{}' });
      assert.equal(asUser.status, 403);
      assert.match(await asUser.text(), /The user '[^']+' isn't allowed to administer this registry/);
      const anonymous = await fetch(`${registry.base}${grantPath(names.user, 'admin', '*')}`, { method: 'PUT' });
      assert.equal(anonymous.status, 401);
      for (const [role, pattern, message] of [
        ['owner', '*', /'owner' is not a role/],
        ['reader', 'a*b', /is not a package pattern/],
      ] as const) {
        const response = await fetch(`${registry.base}${grantPath(names.user, role, pattern)}`, { method: 'PUT', headers: { authorization: registry.auth } });
        assert.equal(response.status, 400);
        assert.match(await response.text(), message);
      }
      const badName = await fetch(`${registry.base}/api/auth/principals/Not%20A%20User/tokens`, { method: 'POST', headers: { authorization: registry.auth, ...json }, body: '{}' });
      assert.equal(badName.status, 400);
      const shown = (await (await fetch(`${registry.base}/api/auth/principals/${names.user}`, { headers: { authorization: registry.auth } })).json()) as {
        grants: { role: string; pattern: string }[];
        tokens: { id: string; description: string; revokedAt: string | null }[];
      };
      assert.deepEqual(shown.grants, [
        { role: 'reader', pattern: project },
        { role: 'developer', pattern: `${names.user}-*` },
      ].sort((a, b) => a.pattern.localeCompare(b.pattern)));
      assert.deepEqual(shown.tokens.map(({ id, description, revokedAt }) => ({ id, description, revokedAt })), [{ id: user.id, description: 'laptop', revokedAt: null }]);
      assert.doesNotMatch(JSON.stringify(shown), /qvr_/, 'the listing never carries a secret');
      assert.doesNotMatch(registry.output(), new RegExp(user.token), 'no token reaches a log');
    });

    it('sets up a CI principal with the quiver CLI, and real pip installs what it is granted and nothing else', async () => {
      const ci = `ci-${names.user}`;
      const quiver = async (...args: string[]): Promise<string> =>
        (await execFileAsync(process.execPath, ['apps/cli/dist/main.js', ...args], { cwd: root, env: { PATH: process.env['PATH'] ?? '', QUIVER_URL: registry.base, QUIVER_TOKEN: registry.token } })).stdout;
      const token = (await quiver('token', 'create', ci, '--description', 'CI pipeline')).trim();
      assert.match(token, /^qvr_[0-9A-Za-z]{49}$/, 'the token alone on standard output');
      assert.equal((await quiver('grant', ci, 'reader', project)).trim(), 'done');
      const work = mkdtempSync(join(tmpdir(), 'quiver-access-pip-'));
      try {
        const index = `${registry.base.replace('http://', `http://__token__:${token}@`)}/simple/`;
        const pip = (target: string): ReturnType<typeof runPython> => runPython('pip', ['download', '--no-deps', '--index-url', index, '-d', join(work, 'dl'), target], { cwd: work });
        const granted = await pip(`${project}==1.0`);
        assert.equal(granted.code, 0, granted.output);
        assert.deepEqual(readdirSync(join(work, 'dl')), [`${project.replace(/-/g, '_')}-1.0-py3-none-any.whl`]);
        const hidden = await pip(`${own}==1.0`);
        assert.notEqual(hidden.code, 0, 'a project the principal may not read is not installable');
        assert.match(hidden.output, /No matching distribution found/);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      assert.doesNotMatch(registry.output(), new RegExp(token), 'no token reaches a log');
    });

    it('stops honouring a revoked grant and a revoked token', async () => {
      await grant(registry, names.user, 'reader', project, 'DELETE');
      await eventually(async () => assert.equal((await read(registry, `/simple/${project}/`, userAuth)).status, 404), { timeoutMs: 30_000 });
      const revoked = await fetch(`${registry.base}/api/auth/tokens/${user.id}`, { method: 'DELETE', headers: { authorization: registry.auth } });
      assert.equal(revoked.status, 204);
      await eventually(async () => assert.equal((await read(registry, `/simple/${own}/`, userAuth)).status, 401), { timeoutMs: 30_000 });
      const upload = await publishAs(registry, userAuth, own, 'b');
      assert.equal(upload.status, 401, 'a revoked token is no credential (BAD-INPUT 57)');
      assert.match(upload.body, /Invalid API Token: the token was revoked/);
      const again = await fetch(`${registry.base}/api/auth/tokens/${user.id}`, { method: 'DELETE', headers: { authorization: registry.auth } });
      assert.equal(again.status, 204, 'revoking twice changes nothing');
      const unknown = await fetch(`${registry.base}/api/auth/tokens/tk_0000000000000000`, { method: 'DELETE', headers: { authorization: registry.auth } });
      assert.equal(unknown.status, 404);
    });
  });
}

const embeddedWork = mkdtempSync(join(tmpdir(), 'quiver-access-'));
accessSuite(
  'embedded',
  async () => {
    const registry: EmbeddedRegistry = await startEmbedded(embeddedWork);
    return {
      base: registry.base,
      token: registry.token,
      auth: registry.auth,
      output: () => registry.started.output(),
      blobCount: () => Promise.resolve(countFiles(join(registry.dataDir, 'blobs'))),
      leftovers: () => listTree(registry.tempDir),
      stop: async () => {
        const code = await registry.stop();
        rmSync(embeddedWork, { recursive: true, force: true });
        return code === 0;
      },
    };
  },
  { user: 'u2', project: 'demo' },
);

const distributedWork = mkdtempSync(join(tmpdir(), 'quiver-access-dist-'));
const suffix = randomBytes(3).toString('hex');
accessSuite(
  'distributed, two replicas of each service behind nginx',
  async () => {
    const registry: DistributedRegistry = await startDistributed(root, distributedWork);
    return {
      base: registry.base,
      token: registry.token,
      auth: basicToken(registry.token),
      output: () => [...registry.instances.values()].map((started) => started.output()).join('\n'),
      blobCount: () => registry.countObjects(),
      leftovers: () => registry.uploadLeftovers(),
      stop: async () => {
        const clean = await registry.stop();
        rmSync(distributedWork, { recursive: true, force: true });
        return clean;
      },
    };
  },
  // The harness's Postgres and Kafka outlive one registry: fresh names per run.
  { user: `u2-${suffix}`, project: `demo-${suffix}` },
);
