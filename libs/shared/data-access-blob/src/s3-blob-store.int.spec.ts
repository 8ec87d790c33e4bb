import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import * as Minio from 'minio';
import { BlobIntegrityError, BlobStoreUnavailableError, type BlobStore } from '@quiver/shared-ports';
import { blobStoreContract, requireEnv, uniqueName } from '@quiver/shared-testing';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';

const options = (overrides: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions => ({
  endpoint: requireEnv('QUIVER_TEST_S3_ENDPOINT'),
  accessKey: requireEnv('QUIVER_TEST_S3_ACCESS_KEY'),
  secretKey: requireEnv('QUIVER_TEST_S3_SECRET_KEY'),
  region: requireEnv('QUIVER_TEST_S3_REGION'),
  bucket: uniqueName('quiver'),
  ...overrides,
});

const opened: BlobStore[] = [];
const servers: (Server | HttpServer)[] = [];
const sockets: Socket[] = [];
after(async () => {
  await Promise.all(opened.map((store) => store.close()));
  sockets.forEach((socket) => socket.destroy());
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const listen = (server: Server | HttpServer): Promise<string> =>
  new Promise((resolve) => {
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    });
  });

/** A loopback port nothing listens on: a server's, just after it closed. */
const closedPort = (): Promise<string> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`));
    });
  });

/** Asserts that every store operation fails with BlobStoreUnavailableError within `withinMs`. */
async function assertUnavailable(store: BlobStore, withinMs: number): Promise<void> {
  const attempts: [string, () => Promise<unknown>][] = [
    ['put bytes', () => store.put('k/a', Buffer.from('x'))],
    ['put stream', () => store.put('k/b', Readable.from([Buffer.from('x')]))],
    ['stat', () => store.stat('k/a')],
    ['read', () => store.read('k/a')],
    ['read range', () => store.read('k/a', { start: 0, end: 0 })],
    ['delete', () => store.delete('k/a')],
    [
      'list',
      async () => {
        for await (const item of store.list('k/')) {
          assert.fail(`listed ${item.key}`);
        }
      },
    ],
  ];
  for (const [name, attempt] of attempts) {
    const began = Date.now();
    await assert.rejects(attempt(), BlobStoreUnavailableError, name);
    assert.ok(Date.now() - began < withinMs, `${name} took ${Date.now() - began} ms`);
  }
}

blobStoreContract('S3 server (minio client)', async () => {
  const store = await S3BlobStore.open(options());
  opened.push(store);
  return store;
});

describe('S3BlobStore against the S3 server', () => {
  it('creates its bucket once and opens an existing one', async () => {
    const bucket = uniqueName('quiver');
    const first = await S3BlobStore.open(options({ bucket }));
    opened.push(first);
    await first.put('k', Buffer.from('v'));
    const second = await S3BlobStore.open(options({ bucket, createBucket: false }));
    opened.push(second);
    assert.equal((await second.stat('k'))?.size, 1);
  });

  it('refuses to open a missing bucket when it may not create it', async () => {
    await assert.rejects(S3BlobStore.open(options({ createBucket: false })), /does not exist/);
  });

  it('aborts the multipart upload of a refused body, leaving no parts behind', async () => {
    const bucket = uniqueName('quiver');
    const store = await S3BlobStore.open(options({ bucket, partSizeBytes: 5 * 1024 * 1024 }));
    opened.push(store);
    const body = randomBytes(12 * 1024 * 1024);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < body.length; offset += 1024 * 1024) {
        yield body.subarray(offset, offset + 1024 * 1024);
        await Promise.resolve(); // as a network body would
      }
    }
    await assert.rejects(store.put('dists/refused', chunks(), { sha256: '0'.repeat(64) }), BlobIntegrityError);
    assert.equal(await store.stat('dists/refused'), undefined);
    const raw = new Minio.Client({
      endPoint: '127.0.0.1',
      port: Number(new URL(requireEnv('QUIVER_TEST_S3_ENDPOINT')).port),
      useSSL: false,
      accessKey: requireEnv('QUIVER_TEST_S3_ACCESS_KEY'),
      secretKey: requireEnv('QUIVER_TEST_S3_SECRET_KEY'),
      region: requireEnv('QUIVER_TEST_S3_REGION'),
    });
    const incomplete: unknown[] = [];
    for await (const upload of raw.listIncompleteUploads(bucket, 'dists/', true) as AsyncIterable<unknown>) {
      incomplete.push(upload);
    }
    assert.deepEqual(incomplete, []);
    // The same body with its real digest goes up in three parts.
    const sha256 = createHash('sha256').update(body).digest('hex');
    assert.deepEqual(await store.put('dists/accepted', chunks(), { sha256, size: body.length }), { key: 'dists/accepted', size: body.length });
    const read = createHash('sha256');
    for await (const chunk of await store.read('dists/accepted')) {
      read.update(chunk);
    }
    assert.equal(read.digest('hex'), sha256);
  });

  it('cuts bodies into exact parts through one reused buffer, whatever the chunk sizes and part boundaries', async () => {
    const part = 5 * 1024 * 1024;
    const store = await S3BlobStore.open(options({ partSizeBytes: part }));
    opened.push(store);
    // Chunks of an odd size straddle every part boundary; lengths land on, just before and just after one.
    for (const [length, declared] of [[part * 2, true], [part * 2 + 1, false], [part - 1, true], [part, true], [3 * part - 7, true]] as const) {
      const body = randomBytes(length);
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let offset = 0; offset < body.length; offset += 777_777) {
          yield body.subarray(offset, offset + 777_777);
          await Promise.resolve();
        }
      }
      const sha256 = createHash('sha256').update(body).digest('hex');
      const key = `dists/parts-${length}`;
      assert.deepEqual(await store.put(key, chunks(), { sha256, ...(declared ? { size: length } : {}) }), { key, size: length });
      const read = createHash('sha256');
      for await (const chunk of await store.read(key)) {
        read.update(chunk);
      }
      assert.equal(read.digest('hex'), sha256, `body of ${length} bytes`);
    }
  });
});

describe('S3BlobStore when the store is unavailable', () => {
  it('reports an unreachable endpoint as BlobStoreUnavailableError, quickly', async () => {
    const endpoint = await closedPort();
    const began = Date.now();
    await assert.rejects(S3BlobStore.open(options({ endpoint })), BlobStoreUnavailableError);
    assert.ok(Date.now() - began < 2000, `open took ${Date.now() - began} ms`);
    const store = new S3BlobStore(options({ endpoint }));
    opened.push(store);
    await assertUnavailable(store, 2000);
  });

  it('gives up on a store that accepts connections but never answers, after timeoutMs', async () => {
    const silent = createServer((socket) => sockets.push(socket));
    const endpoint = await listen(silent);
    const store = new S3BlobStore(options({ endpoint, timeoutMs: 300 }));
    opened.push(store);
    await assertUnavailable(store, 3000);
  });

  it('reports 5xx answers as BlobStoreUnavailableError', async () => {
    for (const status of [500, 502, 503]) {
      const failing = createHttpServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(status, { 'content-type': 'application/xml' }).end('<Error><Code>InternalError</Code></Error>'));
      });
      const store = new S3BlobStore(options({ endpoint: await listen(failing) }));
      opened.push(store);
      await assertUnavailable(store, 3000);
    }
  });

  it('reports a download cut off mid-body as BlobStoreUnavailableError', async () => {
    const cutting = createHttpServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-length': '100000', 'content-type': 'application/octet-stream' });
      response.write(Buffer.alloc(1000, 1), () => response.socket?.destroy());
    });
    const store = new S3BlobStore(options({ endpoint: await listen(cutting) }));
    opened.push(store);
    const body = await store.read('dists/file.whl');
    await assert.rejects(
      (async () => {
        for await (const chunk of body) {
          assert.ok(chunk.length > 0);
        }
      })(),
      BlobStoreUnavailableError,
    );
  });
});
