/**
 * BAD-INPUT.md's upload cases against the running (embedded) registry: each refused request gets
 * its status and message, and leaves nothing behind (no project, no file, no blob).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, startProcess, stopProcess, waitForHttp, type Started } from './support/process.js';
import { listTree, upload as uploadTo, type Fields, type FilePart as Part } from './support/bad-input.js';
import { buildProject } from './support/python.js';
import { writeZip } from '@quiver/shared-testing';
import { generateApiToken } from '@quiver/shared-util-tokens';

const root = join(import.meta.dirname, '..', '..', '..');
const MAX_UPLOAD = 2 * 1024 * 1024;
/** This registry publishes its documentation here (QUIVER_DOCS_URL): messages link under it. */
const DOCS_URL = 'https://git.example.test/quiver/-/blob/main/docs';

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
  } catch {
    return 0;
  }
}

describe('upload bad input (BAD-INPUT 1-47) against the running registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-bad-input-'));
  const dataDir = join(work, 'data');
  // Uploads are received in a directory of their own below spool/tmp (QUIVER_TEMP_DIR): a name like
  // `../../etc/x` followed from there would land in spool/etc, which exists so that it could.
  const spool = join(work, 'spool');
  const tempDir = join(spool, 'tmp');
  let registry: Started;
  let base: string;
  let token: string;
  let wheel: Uint8Array;
  let otherWheel: Uint8Array;
  let sdist: Uint8Array;

  const auth = (): string => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

  const upload = (fields: Fields, file: Part | undefined, headers: Record<string, string> = {}, path = '/legacy/'): Promise<{ status: number; reason: string; body: string }> =>
    uploadTo({ base, auth: auth() }, fields, file, headers, path);

  const wheelFields = (overrides: Record<string, string | string[] | undefined> = {}): Record<string, string | string[] | undefined> => ({
    ':action': 'file_upload',
    protocol_version: '1',
    name: 'demo',
    version: '1.0',
    metadata_version: '2.1',
    filetype: 'bdist_wheel',
    pyversion: 'py3',
    sha256_digest: sha256(wheel),
    ...overrides,
  });
  const wheelPart = (): Part => ({ name: 'demo-1.0-py3-none-any.whl', bytes: wheel });

  /** Asserts a refusal and that the registry stored nothing for it. */
  async function refused(result: { status: number; reason: string; body: string }, status: number, message: RegExp): Promise<void> {
    assert.equal(result.status, status, result.body);
    assert.match(result.body, message);
    assert.match(result.reason, /\S/, 'a meaningful reason phrase');
    const page = await fetch(`${base}/simple/demo/`, { headers: { authorization: auth() } });
    assert.equal(page.status, 404, 'no project was created');
    const json = await fetch(`${base}/pypi/demo/json`, { headers: { authorization: auth() } });
    assert.equal(json.status, 404, 'the index saw no package event for it');
    assert.equal(countFiles(join(dataDir, 'blobs')), 0, 'no blob was stored');
  }

  before(async () => {
    const built = await buildProject(work, 'demo', '1.0', 'bad-input');
    wheel = readFileSync(built.wheel);
    sdist = readFileSync(built.sdist);
    otherWheel = readFileSync((await buildProject(work, 'demo', '1.0', 'other-bytes')).wheel);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    mkdirSync(join(spool, 'etc'), { recursive: true });
    mkdirSync(tempDir, { recursive: true, mode: 0o700 });
    registry = startProcess(process.execPath, ['apps/embedded/dist/main.js'], { QUIVER_PORT: String(port), QUIVER_DATA_DIR: dataDir, QUIVER_TEMP_DIR: tempDir, QUIVER_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), QUIVER_NEW_PROJECTS_PER_HOUR: '0', QUIVER_DOCS_URL: `${DOCS_URL}/` }, root);
    await waitForHttp(`${base}/-/upload/health`, registry);
    token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  });

  after(async () => {
    const code = await stopProcess(registry);
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.output());
  });

  it('refuses bad form fields with PyPI-compatible messages (1-4, 6-11, 13, 15-16)', async () => {
    const cases: [Record<string, string | string[] | undefined>, RegExp][] = [
      [{ protocol_version: '2' }, /Unknown protocol version\./],
      [{ name: undefined }, /'' is an invalid value for Name\. Error: This field is required\./],
      [{ name: 'foo-' }, /'foo-' is an invalid value for Name\./],
      [{ name: 'a/b' }, /'a\/b' is an invalid value for Name\./],
      [{ version: 'dog' }, /'dog' is invalid for 'version'/],
      [{ version: '1.0.dev.a1' }, /'1\.0\.dev\.a1' is invalid for 'version'/],
      [{ metadata_version: undefined }, /None is not a valid metadata version/],
      [{ filetype: 'bdist_egg' }, /Invalid value for filetype\. Error: Use a known file type\./],
      [{ pyversion: undefined }, /Python version is required for binary distribution uploads/],
      [{ filetype: 'sdist', pyversion: '3.12' }, /Use 'source' as Python version for an sdist/],
      [{ sha256_digest: undefined }, /Include at least one message digest/],
      [{ sha256_digest: 'an invalid sha256 digest' }, /Use a valid, hex-encoded, SHA256 message digest/],
      [{ summary: 'x'.repeat(513) }, /'summary' field must be 512 characters or less/],
      [{ requires_dist: 'evil @ https://attacker/evil.whl' }, /Can't have direct dependency/],
      [{ license: 'MIT', license_expression: 'MIT' }, /License is deprecated when License-Expression is present/],
    ];
    for (const [overrides, message] of cases) {
      await refused(await upload(wheelFields(overrides), wheelPart()), 400, message);
    }
  });

  it('refuses a digest that does not match the bytes (12)', async () => {
    const flipped = sha256(wheel).replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await refused(await upload(wheelFields({ sha256_digest: flipped }), wheelPart()), 400, /The digest supplied does not match a digest calculated from the uploaded file\./);
  });

  it('refuses a missing file part and a non-distribution content type (17, 18)', async () => {
    await refused(await upload(wheelFields(), undefined), 400, /Upload payload does not have a file\./);
    await refused(await upload(wheelFields(), { ...wheelPart(), type: 'image/png' }), 400, /Invalid distribution file\./);
  });

  it('refuses unsafe filenames and wrong extensions (19, 20)', async () => {
    const sdistFields = wheelFields({ filetype: 'sdist', pyversion: 'source', sha256_digest: sha256(sdist) });
    for (const [fields, name] of [
      [sdistFields, '../../etc/demo-1.0.tar.gz'],
      [wheelFields(), 'demo\\..\\x.whl'],
      [sdistFields, 'a/demo-1.0.tar.gz'],
    ] as const) {
      await refused(await upload(fields, { name, bytes: name.endsWith('.whl') ? wheel : sdist }), 400, /Cannot upload a file with '\/' or '\\' in the name\./);
    }
    await refused(await upload(wheelFields({ filetype: 'sdist', pyversion: 'source' }), { name: 'demo-1.0.tar.bz2', bytes: sdist }), 400, /Invalid file extension: Use \.tar\.gz, \.whl or \.zip extension\./);
    // Nothing was written outside the per-request directories, and they are gone.
    assert.deepEqual(listTree(spool), ['etc', 'tmp'], 'nothing written beside or below the temp directory');
  });

  it('refuses a body over the size limit with the app message, not a bare 413 (21)', async () => {
    const big = randomBytes(MAX_UPLOAD + 1);
    await refused(await upload(wheelFields({ sha256_digest: sha256(big) }), { name: 'demo-1.0-py3-none-any.whl', bytes: big }), 400, /File too large\. Limit for this registry is 2 MB\./);
  });

  it('refuses form fields that together hold more than 4 MiB, each field within its own 1 MiB limit', async () => {
    const filler = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`filler_${i}`, 'x'.repeat(1_000_000)]));
    await refused(await upload(wheelFields(filler), wheelPart()), 400, /Upload form fields too large: together they may hold at most 4 MiB\./);
  });

  it('refuses random bytes named like a wheel (28) and bad wheel filenames (36, 38, 39)', async () => {
    const junk = randomBytes(4096);
    await refused(await upload(wheelFields({ sha256_digest: sha256(junk) }), { name: 'demo-1.0-py3-none-any.whl', bytes: junk }), 400, /Invalid distribution file\. File is not a zipfile/);
    await refused(await upload(wheelFields(), { name: 'demo-1.0.whl', bytes: wheel }), 400, /Invalid wheel filename \(wrong number of parts\): 'demo-1\.0'/);
    await refused(await upload(wheelFields(), { name: 'Demo-1.0-py3-none-any.whl', bytes: wheel }), 400, /should contain the normalized project name 'demo', not 'Demo'/);
    await refused(await upload(wheelFields({ version: '2.0' }), wheelPart()), 400, /Version in filename should be '2\.0' not '1\.0'\./);
  });

  it('refuses removed APIs with 410 (47), a password with 403 (56) and missing credentials with 401 and the Basic challenge, as reads do (55)', async () => {
    await refused(await upload(wheelFields({ ':action': 'submit' }), wheelPart()), 410, /Project pre-registration is no longer required or supported/);
    await refused(await upload(wheelFields(), wheelPart(), { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }), 403, /Username\/Password authentication is no longer supported/);
    await refused(await upload(wheelFields(), wheelPart(), { authorization: '' }), 401, /Authentication required: use __token__ as the username/);
    const challenge = await fetch(`${base}/legacy/`, { method: 'POST', body: new FormData() });
    await challenge.arrayBuffer();
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers.get('www-authenticate'), 'Basic realm="quiver"', 'twine and uv can then ask keyring or netrc');
  });

  it('answers problem details to clients that accept JSON', async () => {
    const result = await upload(wheelFields({ protocol_version: '2' }), wheelPart(), { accept: 'application/json;q=0.9, text/plain;q=0.8' });
    const problem = JSON.parse(result.body) as { status: number; detail: string; code: string };
    assert.equal(problem.status, 400);
    assert.equal(problem.detail, 'Unknown protocol version.');
    assert.equal(problem.code, 'unknown-protocol-version');
  });

  it('accepts POST /legacy without the slash, never redirecting (46); then conflicts, reuse and second sdist (24-26)', async () => {
    const first = await upload(wheelFields(), wheelPart(), {}, '/legacy');
    assert.equal(first.status, 200, first.body);
    assert.equal((await upload(wheelFields(), wheelPart())).status, 200, 'identical re-upload');
    const conflict = await upload(wheelFields({ sha256_digest: sha256(otherWheel) }), { name: 'demo-1.0-py3-none-any.whl', bytes: otherWheel });
    assert.equal(conflict.status, 409, conflict.body);
    assert.match(conflict.reason, /^File already exists/);
    assert.match(conflict.body, /^File already exists/);
    assert.ok(conflict.body.trim().endsWith(`See ${DOCS_URL}/publishing.md#file-name-reuse for more information.`), conflict.body);
    assert.match(conflict.reason, /publishing\.md#file-name-reuse/, 'twine shows the reason phrase: the link is in it');
    assert.doesNotMatch(conflict.body, /pypi/i, "no public index's help page");
    const sdistFields = wheelFields({ filetype: 'sdist', pyversion: 'source', sha256_digest: sha256(sdist) });
    assert.equal((await upload(sdistFields, { name: 'demo-1.0.tar.gz', bytes: sdist })).status, 200);
    // A well-formed zip sdist of the same release: only the one-sdist rule can refuse it.
    const zipSdist = writeZip([{ name: 'demo-1.0/PKG-INFO', data: Buffer.from('Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n') }]);
    const blobsBefore = countFiles(join(dataDir, 'blobs'));
    const second = await upload(wheelFields({ filetype: 'sdist', pyversion: 'source', sha256_digest: sha256(zipSdist) }), { name: 'demo-1.0.zip', bytes: zipSdist });
    assert.equal(second.status, 400, second.body);
    assert.match(second.body, /^Only one sdist may be uploaded per release\./);
    assert.equal(countFiles(join(dataDir, 'blobs')), blobsBefore, 'the second sdist was not stored');
    const removed = await fetch(`${base}/api/packages/demo/files/demo-1.0.tar.gz`, { method: 'DELETE', headers: { authorization: auth() } });
    assert.equal(removed.status, 200);
    const reuse = await upload(sdistFields, { name: 'demo-1.0.tar.gz', bytes: sdist });
    assert.equal(reuse.status, 400);
    assert.match(reuse.body, /This filename was previously used by a file that has since been deleted/);
    assert.ok(reuse.body.trim().endsWith(`See ${DOCS_URL}/publishing.md#file-name-reuse for more information.`), reuse.body);
  });

  it('refuses a token it does not know before anything about the project is compared or revealed (45; a principal without a grant: access.e2e.spec)', async () => {
    // A well-formed token that grants no role at all, on a project that exists (above): the answer
    // is the same 401 whatever the bytes are, and says nothing about files or hashes.
    const stranger = `Basic ${Buffer.from(`__token__:${generateApiToken()}`).toString('base64')}`;
    const before = await (await fetch(`${base}/pypi/demo/json`, { headers: { authorization: auth() } })).text();
    for (const [bytes, name] of [[wheel, 'identical bytes'], [otherWheel, 'conflicting bytes']] as const) {
      const result = await upload(wheelFields({ sha256_digest: sha256(bytes) }), { name: 'demo-1.0-py3-none-any.whl', bytes }, { authorization: stranger });
      assert.equal(result.status, 401, `${name}: ${result.body}`);
      assert.match(result.body, /Invalid or non-existent authentication information/);
      assert.doesNotMatch(result.body, /already exists|previously used|blake2|sha256|demo-1\.0/i, `${name}: nothing about the project's files`);
      assert.doesNotMatch(result.reason, /already exists/i);
    }
    const after = await (await fetch(`${base}/pypi/demo/json`, { headers: { authorization: auth() } })).text();
    assert.equal(after, before, 'nothing changed');
  });

  it('takes an sdist sent without pyversion as source, as flit sends it (9: only another explicit value is refused)', async () => {
    const built = await buildProject(work, 'no-pyversion', '1.0', 'flit-shaped');
    const bytes = readFileSync(built.sdist);
    const fields = wheelFields({ name: 'no-pyversion', filetype: 'sdist', pyversion: undefined, sha256_digest: sha256(bytes) });
    const result = await upload(fields, { name: 'no_pyversion-1.0.tar.gz', bytes });
    assert.equal(result.status, 200, result.body);
    const json = (await (await fetch(`${base}/pypi/no-pyversion/json`, { headers: { authorization: auth() } })).json()) as { urls: { filename: string; packagetype: string }[] };
    assert.deepEqual(json.urls.map((file) => [file.filename, file.packagetype]), [['no_pyversion-1.0.tar.gz', 'sdist']]);
  });
});
