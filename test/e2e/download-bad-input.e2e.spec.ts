/**
 * BAD-INPUT.md's download (48-50) and simple-index (51-54) cases against the running embedded
 * registry: stored files that went missing or bad in the object store are never served as a
 * complete 200 (and real pip refuses them), credentials that are missing or malformed get a 401
 * Basic challenge, every answer that depends on them is private to the user, and the Simple API
 * redirects, negotiates and lists files with hashes that match what it serves.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { S3BlobStore } from '@quiver/shared-data-access-blob';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { distributionFields, sha256Hex, startEmbedded, upload, type EmbeddedRegistry } from './support/bad-input.js';
import { openBucket, startDistributed, type DistributedRegistry } from './support/distributed.js';
import { basicToken } from './support/publish.js';
import { runPython } from './support/python.js';

const root = join(import.meta.dirname, '..', '..', '..');

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

interface PageFile {
  readonly filename: string;
  readonly url: string;
  readonly hashes: { readonly sha256: string };
  readonly size: number;
  readonly 'core-metadata'?: { readonly sha256: string } | false;
}

const varyOf = (response: Response): string[] => (response.headers.get('vary') ?? '').split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);

/** No shared cache may keep it for another user: private or no-store, and nothing that overrides that. */
function assertPrivate(response: Response, what: string): void {
  const cacheControl = response.headers.get('cache-control') ?? '';
  assert.match(cacheControl, /\b(private|no-store)\b/, `${what}: Cache-Control '${cacheControl}'`);
  assert.doesNotMatch(cacheControl, /\b(public|s-maxage)\b/, `${what}: Cache-Control '${cacheControl}'`);
  assert.ok(varyOf(response).includes('authorization'), `${what}: Vary '${response.headers.get('vary') ?? ''}'`);
}

/** A running registry as a client sees it: its front door and the administrator token. */
interface Target {
  readonly base: string;
  readonly token: string;
  readonly auth: string;
}

const getFrom = (target: Target, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> =>
  fetch(new URL(path, target.base), { method, headers: { authorization: target.auth, ...headers }, redirect: 'manual' });

/** Publishes a generated wheel (optionally with a 1 MiB incompressible member) and returns its Simple API entry. */
async function publishTo(target: Target, project: string, options: { bigMember?: boolean } = {}): Promise<{ file: PageFile; bytes: Buffer }> {
  const extra = options.bigMember ? [{ name: `${project.toLowerCase().replace(/[-_.]+/g, '_')}/blob.bin`, data: randomBytes(1024 * 1024), method: 0 }] : [];
  const wheel = buildWheel(project, '1.0', { extra });
  const part = { name: wheel.filename, bytes: wheel.bytes };
  const result = await upload(target, distributionFields(part, { name: project }), part);
  assert.equal(result.status, 200, result.body);
  const normalised = project.toLowerCase().replace(/[-_.]+/g, '-');
  const page = (await (await getFrom(target, `/simple/${normalised}/`, { accept: SIMPLE_JSON })).json()) as { files: PageFile[] };
  const file = page.files.find((candidate) => candidate.filename === wheel.filename);
  assert.ok(file, `${wheel.filename} is listed`);
  return { file, bytes: wheel.bytes };
}

/** `pip download` of `project==1.0` from the registry into a fresh directory under `work`. */
async function pipDownloadFrom(target: Target, work: string, project: string): Promise<{ code: number | null; output: string; saved: string[] }> {
  const dir = mkdtempSync(join(work, 'pip-'));
  const index = `${target.base.replace('http://', `http://__token__:${target.token}@`)}/simple/`;
  const result = await runPython('pip', ['download', '--no-deps', '--index-url', index, '-d', join(dir, 'dl'), `${project}==1.0`], { cwd: dir });
  return { ...result, saved: existsSync(join(dir, 'dl')) ? readdirSync(join(dir, 'dl')) : [] };
}

/** Reads a body that must break off: resolves with the bytes that arrived before it did. */
async function brokenBody(response: Response): Promise<number> {
  let received = 0;
  await assert.rejects(async () => {
    for await (const chunk of response.body ?? []) {
      received += (chunk as Uint8Array).length;
    }
  }, 'the body breaks off');
  return received;
}

/** Waits (with a deadline) until a process's log matches `pattern`: log lines arrive on their own pipe, after the response. */
const logged = (log: () => string, pattern: RegExp): Promise<unknown> =>
  eventually(() => assert.match(log(), pattern), { what: `a log line matching ${String(pattern)}` });

/** A copy of `bytes` with one byte flipped in the middle (inside the incompressible member). */
function flipMiddleByte(bytes: Buffer): Buffer {
  const bad = Buffer.from(bytes);
  const middle = bytes.length >> 1;
  bad.writeUInt8(bad.readUInt8(middle) ^ 0xff, middle);
  return bad;
}

describe('download and simple-index bad input (BAD-INPUT 48-54) against the running registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-download-input-'));
  let registry: EmbeddedRegistry;

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> => getFrom(registry, path, headers, method);
  const publish = (project: string, options: { bigMember?: boolean } = {}): Promise<{ file: PageFile; bytes: Buffer }> => publishTo(registry, project, options);
  const pipDownload = (project: string): ReturnType<typeof pipDownloadFrom> => pipDownloadFrom(registry, work, project);
  const registryLog = (): string => registry.started.output();
  const blobPath = (sha256: string, kind: 'files' | 'metadata' = 'files'): string => join(registry.dataDir, 'blobs', kind, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

  before(async () => {
    registry = await startEmbedded(work);
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  describe('a stored file missing or corrupted in the object store (48)', () => {
    it('answers 502 for a missing blob, with an alert and no secret in the log; pip fails', async () => {
      const { file } = await publish('gone');
      assert.equal((await get(file.url)).status, 200, 'served while the blob is there');
      unlinkSync(blobPath(file.hashes.sha256));
      for (const method of ['GET', 'HEAD']) {
        const response = await get(file.url, {}, method);
        assert.equal(response.status, 502, method);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        if (method === 'GET') {
          assert.match(await response.text(), /^Stored file is unavailable/);
        }
      }
      await logged(registryLog, /ALERT stored file integrity: "gone-1\.0-py3-none-any\.whl" .*the stored object is missing/);
      const pip = await pipDownload('gone');
      assert.notEqual(pip.code, 0, pip.output);
      assert.match(pip.output, /502/);
      assert.deepEqual(pip.saved, [], 'pip saved nothing');
      assert.doesNotMatch(registry.started.output(), new RegExp(registry.token), 'no token in the log');
    });

    it('answers 502 before sending when the stored size differs from the recorded one', async () => {
      const { file } = await publish('resized');
      appendFileSync(blobPath(file.hashes.sha256), 'x');
      const response = await get(file.url);
      assert.equal(response.status, 502);
      assert.match(await response.text(), /^Stored file is unavailable/);
      await logged(registryLog, new RegExp(`"resized-1\\.0-py3-none-any\\.whl" .*has ${file.size + 1} bytes, expected ${file.size}`));
    });

    it('cuts a same-size corrupted download short instead of completing it, and pip never saves it', async () => {
      const { file, bytes } = await publish('corrupt', { bigMember: true });
      const intact = await get(file.url);
      assert.equal(sha256Hex(Buffer.from(await intact.arrayBuffer())), file.hashes.sha256, 'served intact before the corruption');
      const bad = flipMiddleByte(bytes);
      writeFileSync(blobPath(file.hashes.sha256), bad);
      const actual = sha256Hex(bad);

      const response = await get(file.url);
      assert.equal(response.status, 200, 'the status line went out before the last chunk was hashed');
      assert.equal(response.headers.get('content-length'), String(file.size));
      const received = await brokenBody(response);
      assert.ok(received < file.size, `received ${received} of ${file.size} bytes`);
      await logged(registryLog, new RegExp(`ALERT stored file integrity: "corrupt-1\\.0-py3-none-any\\.whl" .*sha256 ${actual}, expected ${file.hashes.sha256}`));

      // pip sees the transfer break off; if it resumes with a Range request it gets the rest unverified,
      // and then its own check against #sha256 fails. Either way nothing is saved.
      const pip = await pipDownload('corrupt');
      assert.notEqual(pip.code, 0, pip.output);
      assert.match(pip.output, /Connection interrupted|do not match the hashes/i);
      assert.deepEqual(pip.saved, [], `pip saved nothing:\n${pip.output}`);
    });

    it('answers 502 for a corrupted file small enough to be checked before the first byte (the .metadata file), also after serving it intact', async () => {
      const { file } = await publish('badmeta');
      const metadataSha = file['core-metadata'] ? file['core-metadata'].sha256 : '';
      assert.match(metadataSha, /^[0-9a-f]{64}$/);
      const path = blobPath(metadataSha, 'metadata');
      const original = readFileSync(path);
      // Served (and kept in memory, checked) first: the copy must not outlive the stored object's revision.
      const intact = await get(`${file.url}.metadata`);
      assert.equal(intact.status, 200);
      assert.deepEqual(Buffer.from(await intact.arrayBuffer()), original);
      writeFileSync(path, Buffer.from(original.toString('latin1').replace('Summary', 'Sxmmary'), 'latin1'));
      const response = await get(`${file.url}.metadata`);
      assert.equal(response.status, 502);
      assert.match(await response.text(), /^Stored file is unavailable/);
      await logged(registryLog, /"badmeta-1\.0-py3-none-any\.whl\.metadata" .*sha256 [0-9a-f]{64}, expected/);
    });

    it('serves a byte range from the size-checked object (ranges cannot be hash-checked; see ADR 0008)', async () => {
      const { file, bytes } = await publish('ranged');
      const response = await get(file.url, { range: 'bytes=0-9' });
      assert.equal(response.status, 206);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes.subarray(0, 10));
      unlinkSync(blobPath(file.hashes.sha256));
      assert.equal((await get(file.url, { range: 'bytes=0-9' })).status, 502, 'a range of a missing object is a 502 too');
    });
  });

  describe('credentials (49) and cache safety (50)', () => {
    let file: PageFile;

    before(async () => {
      ({ file } = await publish('Private.Pkg'));
    });

    const protectedPaths = (): string[] => ['/simple/', '/simple/private-pkg/', file.url, `${file.url}.metadata`, '/pypi/private-pkg/json', '/pypi/private-pkg/1.0/json'];

    it('asks for Basic credentials with 401 when there are none or they are malformed, never 5xx', async () => {
      const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
      const malformed: (string | undefined)[] = [
        undefined,
        '',
        'Basic',
        'Basic !!!not-base64!!!',
        basic('__token__:qvr_wrongwrongwrongwrongwrongwrongwrongwrongwrong00'),
        basic('__token__:'),
        basic('no-colon-at-all'),
        basic('alice:password'),
        'Bearer garbage',
        'Bearer',
        `Basic ${'A'.repeat(8 * 1024)}`,
        'Digest username="x"',
      ];
      for (const path of protectedPaths()) {
        for (const authorization of malformed) {
          const response = await fetch(new URL(path, registry.base), { headers: authorization === undefined ? {} : { authorization }, redirect: 'manual' });
          const what = `${path} with ${authorization === undefined ? 'no Authorization' : JSON.stringify(authorization.slice(0, 40))}`;
          assert.equal(response.status, 401, what);
          assert.equal(response.headers.get('www-authenticate'), 'Basic realm="quiver"', what);
          assertPrivate(response, what);
          assert.match(await response.text(), /^(Authentication required|Invalid or non-existent authentication information|Invalid username or password)/);
        }
      }
      assert.doesNotMatch(registry.started.output(), /qvr_wrong|not-base64|garbage/, 'no credential reaches the log');
    });

    it('marks every authenticated answer Vary: Authorization (and Accept where negotiated) and private', async () => {
      const negotiated = ['/simple/', '/simple/private-pkg/', '/simple/Private.Pkg/', '/simple/private-pkg', '/simple/does-not-exist/'];
      for (const path of negotiated) {
        for (const accept of [SIMPLE_JSON, 'text/html']) {
          const response = await get(path, { accept });
          await response.arrayBuffer();
          assertPrivate(response, `${path} (${accept})`);
          assert.ok(varyOf(response).includes('accept'), `${path}: Vary: Accept`);
        }
      }
      const etag = (await get('/simple/private-pkg/', { accept: SIMPLE_JSON })).headers.get('etag') ?? '';
      const revalidated = await get('/simple/private-pkg/', { accept: SIMPLE_JSON, 'if-none-match': etag });
      assert.equal(revalidated.status, 304);
      assertPrivate(revalidated, '304 of the project page');

      for (const path of ['/pypi/private-pkg/json', '/pypi/private-pkg/1.0/json', '/pypi/does-not-exist/json', '/files/0000000000000000000000000000000000000000000000000000000000000000/x.whl']) {
        const response = await get(path);
        await response.arrayBuffer();
        assertPrivate(response, path);
      }
      for (const path of [file.url, `${file.url}.metadata`]) {
        const response = await get(path);
        await response.arrayBuffer();
        assert.equal(response.status, 200);
        assertPrivate(response, path);
        assert.equal(response.headers.get('cache-control'), 'private, max-age=31536000, immutable', 'immutable, but for this user only');
        const ranged = await get(path, { range: 'bytes=0-0' });
        await ranged.arrayBuffer();
        assert.equal(ranged.status, 206);
        assertPrivate(ranged, `${path} (range)`);
      }
    });
  });

  describe('the simple index (51-54)', () => {
    let published: { file: PageFile; bytes: Buffer };

    before(async () => {
      published = await publish('Foo.Bar_baz');
    });

    it('redirects other spellings and the slash-less form with 301 to the normalised URL, percent-encoded and never reflected (51)', async () => {
      for (const path of ['/simple/Foo.Bar_baz/', '/simple/foo-bar-baz', '/simple/Foo.Bar_baz', '/simple/FOO--BAR__BAZ/', '/simple/foo-bar-baz?x=<script>']) {
        const response = await get(path);
        assert.equal(response.status, 301, path);
        assert.equal(response.headers.get('location'), '/simple/foo-bar-baz/', path);
        assert.doesNotMatch(await response.text(), /<script>|Foo\.Bar_baz/, 'the request path is not reflected');
      }
      const followed = await fetch(new URL('/simple/Foo.Bar_baz', registry.base), { headers: { authorization: registry.auth } });
      assert.equal(followed.status, 200);
      assert.match(await followed.text(), /foo_bar_baz-1\.0-py3-none-any\.whl/);
      // Not a project name: no redirect to (and no echo of) what was asked. A control character
      // (CR LF here) makes the URL itself malformed: 400 before routing (docs/adr/0013).
      const notNames: [string, number][] = [
        ['/simple/%3Cscript%3Ealert(1)%3C%2Fscript%3E/', 404],
        ['/simple/a%0d%0aSet-Cookie:%20x=1/', 400],
        ['/simple/f%C3%B6%C3%B6/', 404],
        ['/simple/..%2F..%2Fetc/', 404],
      ];
      for (const [path, status] of notNames) {
        const response = await get(path);
        const body = await response.text();
        assert.equal(response.status, status, path);
        assert.equal(response.headers.get('location'), null, path);
        assert.equal(response.headers.get('set-cookie'), null, path);
        assert.doesNotMatch(body, /script|Set-Cookie|föö|etc/i, `${path} is not reflected`);
      }
    });

    it('answers 404 for an unknown project, not an empty page (52)', async () => {
      for (const accept of ['text/html', SIMPLE_JSON]) {
        const response = await get('/simple/does-not-exist/', { accept });
        assert.equal(response.status, 404);
        assert.equal(await response.text(), 'Not Found: no such project\n');
      }
    });

    it('negotiates JSON with its exact Content-Type and falls back to HTML for unsupported types, always with Vary: Accept (53)', async () => {
      const cases: [string, string][] = [
        [SIMPLE_JSON, SIMPLE_JSON],
        ['application/vnd.pypi.simple.latest+json', SIMPLE_JSON],
        ['application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.v1+html; charset=utf-8'],
        ['application/xml', 'text/html; charset=utf-8'],
        ['application/vnd.pypi.simple.v2+json', 'text/html; charset=utf-8'],
        ['image/*;q=1, nonsense', 'text/html; charset=utf-8'],
      ];
      for (const path of ['/simple/', '/simple/foo-bar-baz/']) {
        for (const [accept, contentType] of cases) {
          const response = await get(path, { accept });
          const body = await response.text();
          assert.equal(response.status, 200, `${path} ${accept}`);
          assert.equal(response.headers.get('content-type'), contentType, `${path} ${accept}`);
          assert.ok(varyOf(response).includes('accept'), `${path} ${accept}: Vary: Accept`);
          if (contentType === SIMPLE_JSON) {
            assert.match((JSON.parse(body) as { meta: { 'api-version': string } }).meta['api-version'], /^1\.\d+$/);
          } else {
            assert.match(body, /^<!DOCTYPE html>/i);
          }
        }
      }
    });

    it('lists the uploaded file with #sha256 and the PEP 658/714 metadata hash of the served .metadata file (54)', async () => {
      const { file, bytes } = published;
      const sha256 = sha256Hex(bytes);
      assert.equal(file.hashes.sha256, sha256, 'JSON: the hash of the uploaded bytes');
      const metadata = await get(`${file.url}.metadata`);
      assert.equal(metadata.status, 200);
      const metadataSha = createHash('sha256').update(Buffer.from(await metadata.arrayBuffer())).digest('hex');
      assert.deepEqual(file['core-metadata'], { sha256: metadataSha }, 'JSON: core-metadata names the served file');

      const html = await (await get('/simple/foo-bar-baz/', { accept: 'text/html' })).text();
      const anchor = /<a [^>]*>foo_bar_baz-1\.0-py3-none-any\.whl<\/a>/.exec(html)?.[0] ?? '';
      assert.match(anchor, new RegExp(`href="[^"#]+#sha256=${sha256}"`));
      assert.match(anchor, new RegExp(`data-core-metadata="sha256=${metadataSha}"`));
      assert.match(anchor, new RegExp(`data-dist-info-metadata="sha256=${metadataSha}"`));
      const download = await get(file.url);
      assert.equal(sha256Hex(Buffer.from(await download.arrayBuffer())), sha256, 'the file served is the file listed');
    });
  });
});

describe('a stored file missing or corrupted in S3, behind nginx, in distributed mode (48)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-download-s3-'));
  const bucket = `quiver-${randomBytes(4).toString('hex')}`;
  let registry: DistributedRegistry;
  let target: Target;
  let objects: S3BlobStore;

  const indexLog = (): string => [...registry.instances.entries()].filter(([name]) => name.startsWith('index-')).map(([, started]) => started.output()).join('\n');

  before(async () => {
    registry = await startDistributed(root, work, 2, { QUIVER_S3_BUCKET: bucket, QUIVER_NEW_PROJECTS_PER_HOUR: '0' });
    target = { base: registry.base, token: registry.token, auth: basicToken(registry.token) };
    objects = await openBucket(bucket);
  });

  after(async () => {
    await objects.close();
    const clean = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.ok(clean, indexLog());
  });

  it('cuts a corrupted download short through nginx, answers 502 for a deleted object, and pip saves neither', async () => {
    // The harness's Postgres outlives this registry: a fresh name per run.
    const project = `s3-corrupt-${randomBytes(3).toString('hex')}`;
    const wheelName = `${project.replace(/-/g, '_')}-1\\.0-py3-none-any\\.whl`;
    const { file, bytes } = await publishTo(target, project, { bigMember: true });
    const key = `files/${file.hashes.sha256.slice(0, 2)}/${file.hashes.sha256.slice(2, 4)}/${file.hashes.sha256}`;
    const stored = await objects.stat(key);
    assert.deepEqual({ key: stored?.key, size: stored?.size }, { key, size: file.size }, 'the object is where the index expects it');
    const bad = flipMiddleByte(bytes);
    await objects.put(key, bad); // out of band: the bucket now holds other bytes of the same size

    const response = await getFrom(target, file.url);
    assert.equal(response.status, 200);
    const received = await brokenBody(response);
    assert.ok(received < file.size, `received ${received} of ${file.size} bytes`);
    await logged(indexLog, new RegExp(`ALERT stored file integrity: "${wheelName}" .*sha256 ${sha256Hex(bad)}, expected ${file.hashes.sha256}`));
    const corrupted = await pipDownloadFrom(target, work, project);
    assert.notEqual(corrupted.code, 0, corrupted.output);
    assert.deepEqual(corrupted.saved, [], corrupted.output);

    await objects.delete(key);
    const missing = await getFrom(target, file.url);
    assert.equal(missing.status, 502);
    assert.match(await missing.text(), /^Stored file is unavailable/);
    await logged(indexLog, new RegExp(`"${wheelName}" .*the stored object is missing`));
    assert.doesNotMatch(indexLog(), new RegExp(registry.token), 'no token in the log');
  });

  it('answers 502 on every replica for a small file rewritten in S3 after the replicas served it (and kept it in memory)', async () => {
    const project = `s3-meta-${randomBytes(3).toString('hex')}`;
    const { file } = await publishTo(target, project);
    const metadataSha = file['core-metadata'] ? file['core-metadata'].sha256 : '';
    const key = `metadata/${metadataSha.slice(0, 2)}/${metadataSha.slice(2, 4)}/${metadataSha}`;
    const chunks: Uint8Array[] = [];
    for await (const chunk of await objects.read(key)) {
      chunks.push(chunk);
    }
    const original = Buffer.concat(chunks);
    // Each index replica, asked directly, serves the file (and keeps it in memory); then the front door.
    const replicas = ['index-1', 'index-2'].map((name) => ({ name, target: { ...target, base: registry.urlOf(name) } }));
    const doors = [...replicas, { name: 'the front door', target }, { name: 'the front door', target }];
    for (const { name, target: door } of doors) {
      const intact = await getFrom(door, `${file.url}.metadata`);
      assert.equal(intact.status, 200, name);
      assert.deepEqual(Buffer.from(await intact.arrayBuffer()), original, name);
    }
    await objects.put(key, Buffer.from(original.toString('latin1').replace('Summary', 'Sxmmary'), 'latin1'));
    for (const { name, target: door } of doors) {
      const response = await getFrom(door, `${file.url}.metadata`);
      assert.equal(response.status, 502, `${name} after the rewrite`);
      assert.match(await response.text(), /^Stored file is unavailable/, name);
    }
  });
});
