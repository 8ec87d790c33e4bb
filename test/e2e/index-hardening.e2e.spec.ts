/**
 * The index side of issue 15 against the running embedded registry: a hostile URL (a repeated
 * query parameter, a control character in the path or query) is a 400 with a clear message on every
 * index route, never a 500, and leaves nothing behind; conditional requests follow RFC 9110 on every
 * answer that carries an ETag (project pages, files, `.metadata` files); and the root index sends the
 * registry's last serial in `X-PyPI-Last-Serial`, as project pages do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { countFiles, distributionFields, sha256Hex, startEmbedded, upload, type EmbeddedRegistry } from './support/bad-input.js';
import { basicToken } from './support/publish.js';

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const SHA_OF_NOTHING = '0'.repeat(64);

const REPEATED_FORMAT = "Bad request: the query parameter 'format' is given 2 times; give it at most once.";
const controlMessage = (where: 'path' | 'query'): string =>
  `Bad request: the URL's ${where} contains a control character (such as NUL, CR or LF), which no name, version, file name or parameter may contain.`;

interface PageFile {
  readonly filename: string;
  readonly url: string;
  readonly hashes: { readonly sha256: string };
}

interface RootJson {
  readonly meta: { readonly '_last-serial': number };
  readonly projects: readonly { readonly name: string; readonly '_last-serial': number }[];
}

describe('index hardening (issue 15) against the running embedded registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-index-hardening-'));
  let registry: EmbeddedRegistry;
  let file: PageFile;
  let wheelBytes: Buffer;

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET', auth: string | undefined = registry.auth): Promise<Response> =>
    fetch(new URL(path, registry.base), { method, headers: { ...(auth === undefined ? {} : { authorization: auth }), ...headers }, redirect: 'manual' });

  const publish = async (project: string): Promise<{ file: PageFile; bytes: Buffer }> => {
    const wheel = buildWheel(project, '1.0');
    const part = { name: wheel.filename, bytes: wheel.bytes };
    const result = await upload(registry, distributionFields(part, { name: project }), part);
    assert.equal(result.status, 200, result.body);
    const page = (await (await get(`/simple/${project}/`, { accept: SIMPLE_JSON })).json()) as { files: PageFile[] };
    const listed = page.files.find((candidate) => candidate.filename === wheel.filename);
    assert.ok(listed, `${wheel.filename} is listed`);
    return { file: listed, bytes: wheel.bytes };
  };

  const rootJson = async (auth = registry.auth): Promise<{ header: string | null; body: RootJson }> => {
    const response = await get('/simple/', { accept: SIMPLE_JSON }, 'GET', auth);
    assert.equal(response.status, 200);
    return { header: response.headers.get('x-pypi-last-serial'), body: (await response.json()) as RootJson };
  };

  before(async () => {
    registry = await startEmbedded(work);
    ({ file, bytes: wheelBytes } = await publish('demo'));
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  describe('client input is never a 500', () => {
    /** Requests sent by this describe, for the log check at its end; and where the log stood before them. */
    let sent = 0;
    let logMark = 0;
    let blobsBefore = 0;
    let rootBefore = '';

    before(async () => {
      logMark = registry.started.output().length;
      blobsBefore = countFiles(join(registry.dataDir, 'blobs'));
      rootBefore = await (await get('/simple/', { accept: SIMPLE_JSON })).text();
    });

    /** A 400 with `message` as reason phrase and body: plain text, or problem details with `code` for a client that accepts JSON. */
    const assertRefused = async (path: string, message: string, code: string, options: { method?: string; auth?: string | undefined } = {}): Promise<void> => {
      const method = options.method ?? 'GET';
      const auth = 'auth' in options ? options.auth : registry.auth;
      for (const accept of ['text/html', 'application/json']) {
        const response = await get(path, { accept }, method, auth);
        sent += 1;
        const body = await response.text();
        const what = `${method} ${path} (${accept})`;
        assert.equal(response.status, 400, `${what}: ${body}`);
        assert.equal(response.statusText, message, `${what}: the reason phrase`);
        if (method === 'HEAD') {
          continue;
        }
        if (accept === 'application/json') {
          assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
          assert.deepEqual(JSON.parse(body), { type: 'about:blank', title: 'Bad Request', status: 400, detail: message, code }, what);
        } else {
          assert.equal(body, `${message}\n`, what);
        }
      }
    };

    it('refuses a repeated format parameter on the root and project pages with a 400 naming it, GET and HEAD', async () => {
      for (const path of ['/simple/?format=a&format=b', `/simple/?format=${SIMPLE_JSON}&format=${SIMPLE_JSON}`, '/simple/demo/?format=a&format=b', '/simple/demo/?format=text/html&format']) {
        for (const method of ['GET', 'HEAD']) {
          await assertRefused(path, REPEATED_FORMAT, 'repeated-query-parameter', { method });
        }
      }
    });

    it('refuses a control character in the path of every index route with a 400 that does not echo the URL', async () => {
      const name = file.url.split('/').at(-1) ?? '';
      const sha = file.hashes.sha256;
      const paths = [
        `${file.url}%00`, // the file itself, with a NUL that Postgres would refuse in a query parameter
        `${file.url}%00.metadata`,
        `/files/${sha}/%00`,
        `/files/${sha}/${name}%0d%0aSet-Cookie:%20x=1`,
        `/files/${sha}/${name}%C2%85`, // a C1 control (NEL) in UTF-8
        `/files/${sha}%00/${name}`,
        `/files/${SHA_OF_NOTHING}/x%7f.whl`,
        '/simple/demo%00/',
        '/simple/%0a/',
        '/pypi/demo%00/json',
        '/pypi/demo/1.0%00/json',
        '/pypi/demo/%1b/json',
        '/-/index/health%00',
        '/-/index/events/%00',
        '/-/index/access-events/%09',
      ];
      for (const path of paths) {
        await assertRefused(path, controlMessage('path'), 'control-character');
      }
      await assertRefused(`${file.url}%00`, controlMessage('path'), 'control-character', { method: 'HEAD' });
      await assertRefused('/simple/demo%00/', controlMessage('path'), 'control-character', { auth: undefined }); // before authentication, as a malformed URL
    });

    it('refuses a control character in the query of every index route with a 400', async () => {
      const paths = ['/simple/?format=%00', '/simple/demo/?%00=1', `${file.url}?x=%0a`, '/pypi/demo/json?x=%00', '/pypi/demo/1.0/json?x=%7F', '/-/index/health?x=%00'];
      for (const path of paths) {
        await assertRefused(path, controlMessage('query'), 'control-character');
      }
    });

    it('refuses a path that is not valid percent-encoding, or a segment longer than any name, without echoing it', async () => {
      await assertRefused('/simple/%ff%fe-echo/', 'Bad request: the URL is not a valid percent-encoded path.', 'bad-url');
      const response = await get(`/simple/${'e'.repeat(1025)}/`);
      const body = await response.text();
      sent += 1;
      assert.equal(response.status, 414);
      assert.doesNotMatch(body, /eeee/, 'the path is not echoed');
      assert.match(body, /longer than 1024 characters/);
    });

    it('stores nothing, serves on as before, and logs no error for any of them', async () => {
      assert.equal(countFiles(join(registry.dataDir, 'blobs')), blobsBefore, 'no blob was stored');
      assert.equal(await (await get('/simple/', { accept: SIMPLE_JSON })).text(), rootBefore, 'the index is unchanged');
      const download = await get(file.url);
      assert.equal(download.status, 200);
      assert.equal(sha256Hex(Buffer.from(await download.arrayBuffer())), file.hashes.sha256, 'the file is still served');

      // Log lines arrive on their own pipe: end with a known error line (a download refused for a
      // missing blob) and wait for it, so every line the requests above caused is in by then.
      const { file: marker } = await publish('log-marker');
      unlinkSync(join(registry.dataDir, 'blobs', 'files', marker.hashes.sha256.slice(0, 2), marker.hashes.sha256.slice(2, 4), marker.hashes.sha256));
      assert.equal((await get(marker.url)).status, 502);
      await eventually(() => assert.match(registry.started.output().slice(logMark), /ALERT stored file integrity: "log_marker-1\.0/), { what: 'the marker log line' });
      const lines = registry.started
        .output()
        .slice(logMark)
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.includes('ALERT stored file integrity'));
      assert.ok(lines.length <= sent, `at most one log line per refused request (${sent} requests):\n${lines.join('\n')}`);
      assert.doesNotMatch(lines.join('\n'), /failed|Error|Internal/, 'no error was logged');
    });
  });

  it('serves a project and files whose names are longer than 100 characters (a wheel with a long name and several platform tags)', async () => {
    const project = `long-${'n'.repeat(110)}`;
    const { file: long, bytes } = await publish(project);
    assert.ok((long.url.split('/').at(-1) ?? '').length > 110);
    for (const path of [`/simple/${project}/`, long.url, `${long.url}.metadata`]) {
      const response = await get(path);
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
      if (path === long.url) {
        assert.equal(sha256Hex(Buffer.from(await response.arrayBuffer())), sha256Hex(bytes));
      }
    }
  });

  describe('conditional requests (RFC 9110 §13) on every answer with an ETag', () => {
    /** Every answer that sends an ETag, with the headers that select it. */
    const targets = (): { readonly path: string; readonly headers: Record<string, string> }[] => [
      { path: '/simple/demo/', headers: { accept: 'text/html' } },
      { path: '/simple/demo/', headers: { accept: SIMPLE_JSON } },
      { path: file.url, headers: {} },
      { path: `${file.url}.metadata`, headers: {} },
    ];

    const etagOf = async (path: string, headers: Record<string, string>): Promise<string> => {
      const response = await get(path, headers);
      await response.arrayBuffer();
      assert.equal(response.status, 200, path);
      const etag = response.headers.get('etag');
      assert.match(etag ?? '', /^"[^"]+"$/, `${path}: a strong ETag`);
      return etag ?? '';
    };

    it('answers 304 to If-None-Match naming the current ETag in a list, weakly, or as *, GET and HEAD; 200 to other tags or a malformed one', async () => {
      for (const { path, headers } of targets()) {
        const etag = await etagOf(path, headers);
        for (const value of [etag, `"elsewhere", ${etag}`, `${etag} , "elsewhere"`, `W/${etag}`, `"elsewhere", W/${etag}`, '*']) {
          for (const method of ['GET', 'HEAD']) {
            const response = await get(path, { ...headers, 'if-none-match': value }, method);
            const what = `${method} ${path} ${JSON.stringify(headers)} If-None-Match: ${value}`;
            assert.equal(response.status, 304, what);
            assert.equal(await response.text(), '', what);
            assert.equal(response.headers.get('etag'), etag, what);
            assert.match(response.headers.get('vary') ?? '', /Authorization/, what);
          }
        }
        for (const value of ['"elsewhere"', 'W/"elsewhere", "x"', etag.slice(1, -1), `${etag}garbage`, `w/${etag}`]) {
          const response = await get(path, { ...headers, 'if-none-match': value });
          await response.arrayBuffer();
          assert.equal(response.status, 200, `${path} If-None-Match: ${value}`);
        }
      }
    });

    it('answers 412 to If-Match without the current strong ETag, and serves with it or *', async () => {
      for (const { path, headers } of targets()) {
        const etag = await etagOf(path, headers);
        for (const value of ['"elsewhere"', `W/${etag}`]) {
          const response = await get(path, { ...headers, 'if-match': value });
          await response.arrayBuffer();
          assert.equal(response.status, 412, `${path} If-Match: ${value}`);
        }
        for (const value of [etag, `"elsewhere", ${etag}`, '*']) {
          const response = await get(path, { ...headers, 'if-match': value });
          await response.arrayBuffer();
          assert.equal(response.status, 200, `${path} If-Match: ${value}`);
        }
      }
    });

    it('sends the whole file, not a range, when If-Range is not the current strong ETag (another tag, a weak one, a date)', async () => {
      const metadata = await get(`${file.url}.metadata`);
      const metadataBytes = Buffer.from(await metadata.arrayBuffer());
      const date = metadata.headers.get('date') ?? '';
      assert.notEqual(date, '', 'the server sends a Date');
      for (const [path, whole] of [
        [file.url, wheelBytes],
        [`${file.url}.metadata`, metadataBytes],
      ] as const) {
        const etag = await etagOf(path, {});
        for (const value of ['"elsewhere"', `W/${etag}`, date, 'Thu, 01 Jan 1970 00:00:00 GMT', `${etag}, "x"`, 'garbage']) {
          const response = await get(path, { range: 'bytes=0-9', 'if-range': value });
          const body = Buffer.from(await response.arrayBuffer());
          const what = `${path} If-Range: ${value}`;
          assert.equal(response.status, 200, what);
          assert.equal(response.headers.get('content-range'), null, what);
          assert.deepEqual(body, whole, `${what}: the whole file`);
        }
        const ranged = await get(path, { range: 'bytes=0-9', 'if-range': etag });
        assert.equal(ranged.status, 206, `${path} If-Range: its ETag`);
        assert.equal(ranged.headers.get('content-range'), `bytes 0-9/${whole.length}`);
        assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), whole.subarray(0, 10));
        const unsatisfiable = await get(path, { range: `bytes=${whole.length}-`, 'if-range': '"elsewhere"' });
        assert.equal(unsatisfiable.status, 200, 'a range that is ignored cannot be unsatisfiable');
        assert.deepEqual(Buffer.from(await unsatisfiable.arrayBuffer()), whole);
      }
    });

    it('answers HEAD of a file with the Content-Length and Content-Range a GET sends (RFC 9110 §8.6)', async () => {
      for (const path of [file.url, `${file.url}.metadata`]) {
        const whole = await get(path);
        const length = Buffer.from(await whole.arrayBuffer()).length;
        const head = await get(path, {}, 'HEAD');
        assert.equal(head.status, 200, path);
        assert.equal(head.headers.get('content-length'), String(length), `${path}: HEAD Content-Length`);
        const ranged = await get(path, { range: 'bytes=2-5' }, 'HEAD');
        assert.equal(ranged.status, 206, path);
        assert.equal(ranged.headers.get('content-length'), '4', `${path}: HEAD of a range`);
        assert.equal(ranged.headers.get('content-range'), `bytes 2-5/${length}`);
      }
    });
  });

  describe('X-PyPI-Last-Serial on the root index', () => {
    it('sends the registry last serial on /simple/, HTML and JSON, GET and HEAD, as the JSON meta does', async () => {
      await publish('newest');
      const newestSerial = (await get('/simple/newest/')).headers.get('x-pypi-last-serial');
      assert.match(newestSerial ?? '', /^\d+$/);
      const { header, body } = await rootJson();
      assert.equal(header, newestSerial, 'JSON: the serial of the last change');
      assert.equal(String(body.meta['_last-serial']), header, 'JSON: the header and meta agree');
      assert.equal(String(Math.max(...body.projects.map((project) => project['_last-serial']))), header, 'JSON: the highest project serial');
      for (const accept of ['text/html', 'application/vnd.pypi.simple.v1+html']) {
        for (const method of ['GET', 'HEAD']) {
          const response = await get('/simple/', { accept }, method);
          await response.arrayBuffer();
          assert.equal(response.status, 200);
          assert.equal(response.headers.get('x-pypi-last-serial'), header, `${method} ${accept}`);
        }
      }
      assert.equal((await get('/simple/', { accept: SIMPLE_JSON }, 'HEAD')).headers.get('x-pypi-last-serial'), header, 'HEAD JSON');

      // A change moves it: a yank (answered once the index applied it, like an upload).
      const yank = await fetch(`${registry.base}/api/packages/newest/releases/1.0/yank`, {
        method: 'POST',
        headers: { authorization: registry.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'test' }),
      });
      assert.equal(yank.status, 200, await yank.text());
      const { header: moved } = await rootJson();
      assert.ok(Number(moved) > Number(header), `serial ${moved} after ${header}`);
      assert.equal(moved, (await get('/simple/newest/')).headers.get('x-pypi-last-serial'), 'the serial of the yank');
    });

    it('sends the same registry serial to a reader who may see only some projects', async () => {
      const token = await fetch(`${registry.base}/api/auth/principals/viewer/tokens`, {
        method: 'POST',
        headers: { authorization: registry.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'issue 15' }),
      });
      assert.equal(token.status, 201, await token.clone().text());
      const viewer = basicToken(((await token.json()) as { token: string }).token);
      const granted = await fetch(`${registry.base}/api/auth/principals/viewer/grants/reader/demo`, { method: 'PUT', headers: { authorization: registry.auth } });
      assert.equal(granted.status, 204, await granted.text());
      const admin = await rootJson();
      const restricted = await rootJson(viewer);
      assert.match(admin.header ?? '', /^\d+$/, 'a serial');
      assert.deepEqual(restricted.body.projects.map((project) => project.name), ['demo'], 'only the granted project is listed');
      assert.equal(restricted.header, admin.header, 'the registry serial, not the highest listed one');
      assert.equal(String(restricted.body.meta['_last-serial']), admin.header);
    });
  });
});
