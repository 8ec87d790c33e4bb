/**
 * Issue 15's upload findings against the running (embedded) registry, on real sockets: uploads the
 * client abandons, bodies that stall or never end, callers refused before their body is read,
 * malformed multipart and oversized fields. Each leaves nothing in the upload temp directory, gets
 * an answer (or a closed connection) within its bound, and costs the log at most a line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { grant, issueToken } from './support/access.js';
import { distributionFields, listTree, refused, startEmbedded, upload, type EmbeddedRegistry } from './support/bad-input.js';
import { basicToken } from './support/publish.js';
import { MultipartText, RawConnection, uploadHead, wheelFormFields } from './support/raw-http.js';

const IDLE_SECONDS = 2;
const TOTAL_SECONDS = 6;
/** How long the server reads and drops the rest of a body it answered early (LINGER_MS in http-server.ts). */
const LINGER_MS = 5_000;
const MAX_UPLOAD = 1024 * 1024;

const lines = (registry: EmbeddedRegistry): number => registry.started.output().split('\n').length;

describe('uploads that clients abandon, stall or abuse (issue 15)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-upload-hardening-'));
  const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  /** Temp directories of a process that still runs (this test's), and of another machine. */
  const keep = [`upload-${host}-${process.pid}-0123abcd-Qw12Er`, 'upload-ffffffff-1-0123abcd-Zz99Yy'];
  let registry: EmbeddedRegistry;

  /** Connects and sends the head of an upload announcing `length` body bytes, then `body`. */
  async function startUpload(length: number, body: string, authorization = registry.auth, form = new MultipartText()): Promise<RawConnection> {
    const connection = await RawConnection.open(registry.base);
    await connection.write(uploadHead(registry.base, authorization, `multipart/form-data; boundary=${form.boundary}`, length));
    await connection.write(body);
    return connection;
  }

  /** The start of a twine upload of a wheel: every field, and the first bytes of the file. */
  const uploadStart = (form = new MultipartText()): string => `${wheelFormFields(form)}${form.fileHead('content', 'demo-1.0-py3-none-any.whl')}PK\x03\x04`;

  /**
   * Opens `count` uploads in batches of 50 and abandons them, each batch only once the server holds
   * a temp directory for every one of its uploads: so when the directory is empty afterwards, the
   * server has handled every abort, not merely not yet begun the last ones (a loaded machine may
   * accept a connection long after the client closed it).
   */
  async function abandonUploads(count: number): Promise<void> {
    const seen = new Set(listTree(registry.tempDir));
    for (let opened = 0; opened < count; opened += 50) {
      const connections = await Promise.all(Array.from({ length: Math.min(50, count - opened) }, () => startUpload(100_000, uploadStart())));
      const target = seen.size + connections.length;
      await eventually(
        () => {
          for (const entry of listTree(registry.tempDir)) {
            if (!entry.includes('/')) {
              seen.add(entry);
            }
          }
          assert.equal(seen.size, target, 'a temp directory for each upload of the batch');
        },
        { timeoutMs: 15_000, intervalMs: 5 },
      );
      for (const connection of connections) {
        connection.destroy();
      }
    }
  }

  const tempDirEmpty = (): Promise<void> => eventually(() => assert.deepEqual(listTree(registry.tempDir), []), { timeoutMs: 15_000 });

  before(async () => {
    // Leftovers of earlier processes that used this temp directory (finding 1: "still there after a restart").
    const temp = join(work, 'upload-tmp');
    mkdirSync(temp, { recursive: true });
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    // A process of this machine that ended, and a directory of a Quiver that did not name its owner.
    for (const name of [`upload-${host}-${dead.pid}-0123abcd-aB3dE9`, 'upload-Xy12Zq', ...keep]) {
      mkdirSync(join(temp, name));
      writeFileSync(join(temp, name, 'content'), 'partial upload');
    }
    registry = await startEmbedded(work, {
      QUIVER_BODY_IDLE_SECONDS: String(IDLE_SECONDS),
      QUIVER_BODY_TIMEOUT_SECONDS: String(TOTAL_SECONDS),
      QUIVER_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    });
  });

  after(async () => {
    assert.equal(await registry.stop(), 0);
    rmSync(work, { recursive: true, force: true });
  });

  it('removes at start what crashed processes left in the temp directory, and nothing of a live one or another machine', () => {
    assert.deepEqual(
      listTree(registry.tempDir).filter((entry) => !entry.includes('/')),
      [...keep].sort(),
      'the dead process and the old-style directory are gone; the live process (this test) and the other machine keep theirs',
    );
    for (const name of keep) {
      rmSync(join(registry.tempDir, name), { recursive: true });
    }
  });

  it('removes the temp directory of every upload the client abandons, logging at most a line each and never an error', async () => {
    const before = lines(registry);
    await abandonUploads(300);
    await tempDirEmpty();
    const added = registry.started.output().split('\n').slice(before - 1);
    assert.ok(added.length - 1 <= 300, `${added.length - 1} log lines for 300 aborts`);
    assert.deepEqual(added.filter((line) => /ERROR|WARN/.test(line)), [], 'no abort is logged as an error or warning');
  });

  it('refuses a caller that may publish nothing with 403 before reading a byte of the body', async () => {
    const reader = await issueToken(registry, 'hardening-reader', 'reads only');
    await grant(registry, 'hardening-reader', 'reader', '*');
    // Ten megabytes announced, none sent: the answer cannot wait for the body.
    const connection = await startUpload(10 * 1024 * 1024, '', basicToken(reader.token));
    const response = await connection.response(5_000);
    assert.equal(response.status, 403, response.head);
    assert.match(response.body, /The user 'hardening-reader' isn't allowed to upload to this registry/);
    connection.destroy();
    assert.deepEqual(listTree(registry.tempDir), [], 'no temp directory was made for it');
  });

  it('answers 408 and closes a body that stalls, and one that trickles past its total time, leaving no temp directory', async () => {
    const form = new MultipartText();
    const stalled = await startUpload(100_000, uploadStart(form), registry.auth, form);
    const began = Date.now();
    const answer = await stalled.response((IDLE_SECONDS + 5) * 1000);
    assert.equal(answer.status, 408, answer.head);
    assert.match(answer.head, /connection: close/i);
    assert.match(answer.body, /paused for more than 2 s/);
    await stalled.closedWithin(2_000);
    assert.ok(Date.now() - began >= IDLE_SECONDS * 1000 - 100, 'not before the idle bound');

    // A byte every half second never pauses for 2 s, but the whole body may take only 6 s.
    const trickleForm = new MultipartText();
    const trickling = await startUpload(100_000, uploadStart(trickleForm), registry.auth, trickleForm);
    const started = Date.now();
    const timer = setInterval(() => void trickling.write('x'), 500);
    try {
      const late = await trickling.response((TOTAL_SECONDS + 5) * 1000);
      assert.equal(late.status, 408, late.head);
      assert.match(late.body, /did not arrive within 6 s/);
      assert.ok(Date.now() - started >= (TOTAL_SECONDS - 1) * 1000, 'only once the total bound passed');
    } finally {
      clearInterval(timer);
    }
    await trickling.closedWithin(2_000);
    await tempDirEmpty();
  });

  it('answers a body over the size limit and closes the connection instead of leaving it open', async () => {
    const form = new MultipartText();
    const connection = await startUpload(50 * 1024 * 1024, uploadStart(form), registry.auth, form);
    await connection.write(Buffer.alloc(MAX_UPLOAD + 64 * 1024, 1));
    const response = await connection.response(5_000);
    assert.equal(response.status, 400, response.head);
    assert.match(response.body, /File too large. Limit for this registry is 1 MB/);
    // The client sends nothing more: the server drops what is left for at most the linger time, then closes.
    await connection.closedWithin(LINGER_MS + 3_000);
    await tempDirEmpty();
  });

  it('refuses malformed multipart with 400 or 413, never a 500, storing nothing', async () => {
    const raw = async (contentType: string, body: string): Promise<{ status: number; reason: string; body: string }> => {
      const response = await fetch(`${registry.base}/legacy/`, { method: 'POST', headers: { authorization: registry.auth, 'content-type': contentType }, body });
      return { status: response.status, reason: response.statusText, body: await response.text() };
    };
    const form = new MultipartText();
    const before = lines(registry);

    await refused(registry, await raw('multipart/form-data', wheelFormFields(form)), 400, /the Content-Type has no boundary parameter/);
    const long = new MultipartText('b'.repeat(5000));
    await refused(registry, await raw(`multipart/form-data; boundary=${long.boundary}`, `${wheelFormFields(long)}${long.closing}`), 400, /the boundary has 5000 characters; RFC 2046 allows at most 70/);
    // The body ends in the middle of the file part: no closing boundary.
    await refused(registry, await raw(`multipart/form-data; boundary=${form.boundary}`, uploadStart(form)), 400, /Invalid multipart\/form-data body: Unexpected end of multipart data/);
    const many = new MultipartText();
    const fields = Array.from({ length: 10_000 }, (_, i) => many.field(`f${i}`, 'x')).join('');
    await refused(registry, await raw(`multipart/form-data; boundary=${many.boundary}`, `${fields}${many.closing}`), 413, /more than 1000 form fields/);
    await refused(registry, await raw(`multipart/form-data; boundary=${form.boundary}`, `${form.field('constructor', 'x')}${wheelFormFields(form)}${form.closing}`), 400, /Invalid multipart\/form-data body: prototype property is not allowed as field name/);
    assert.ok(lines(registry) - before <= 5, `at most a line each:\n${registry.started.output().split('\n').slice(before - 1).join('\n')}`);
    assert.doesNotMatch(registry.started.output(), /ERROR/);
  });

  it('refuses a 50 MB description with 400 naming the field and the limit instead of storing it cut', async () => {
    const wheel = buildWheel('demo', '1.0');
    const part = { name: wheel.filename, bytes: wheel.bytes };
    const result = await upload(registry, distributionFields(part, { description: 'd'.repeat(50 * 1024 * 1024) }), part);
    await refused(registry, result, 400, /'description' field must be 1 MiB \(1048576 bytes\) or less/);
  });

  it('survives 3,000 aborted uploads and 20 stalled bodies: temp directory empty, other clients answered throughout, a log line per abort at most, none an error', async () => {
    const before = lines(registry);
    let slowest = 0;
    let probing = true;
    // Another client installs all along; each of its requests must be answered promptly.
    const probe = (async () => {
      let probes = 0;
      while (probing) {
        const began = Date.now();
        const response = await fetch(`${registry.base}/simple/`, { headers: { authorization: registry.auth } });
        await response.arrayBuffer();
        assert.equal(response.status, 200);
        slowest = Math.max(slowest, Date.now() - began);
        probes += 1;
      }
      return probes;
    })();
    const stalled = await Promise.all(Array.from({ length: 20 }, () => startUpload(100_000, uploadStart())));
    await eventually(() => assert.equal(listTree(registry.tempDir).filter((entry) => !entry.includes('/')).length, 20, 'a temp directory for each stalled body'));
    await abandonUploads(3_000);
    for (const connection of stalled) {
      const response = await connection.response((IDLE_SECONDS + 10) * 1000);
      assert.equal(response.status, 408, response.head);
      await connection.closedWithin(2_000);
    }
    await tempDirEmpty();
    probing = false;
    assert.ok((await probe) > 0, 'the other client was served');
    assert.ok(slowest < 5_000, `every other request was answered within 5 s (slowest ${slowest} ms)`);
    const added = registry.started.output().split('\n').slice(before - 1);
    assert.ok(added.length - 1 <= 3_000, `${added.length - 1} log lines for 3,000 aborts`);
    assert.deepEqual(added.filter((line) => /ERROR|WARN/.test(line)), [], 'no abort is logged as an error or warning');
  });
});
