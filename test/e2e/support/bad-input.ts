/**
 * The embedded registry as the BAD-INPUT suites drive it: started with its own data and upload temp
 * directories so a test can list what a refused request left behind, plus the twine-shaped upload
 * and the "refused, and nothing stored" assertion.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, stopProcess, waitForHttp, type Started } from './process.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');

export interface EmbeddedRegistry {
  readonly base: string;
  readonly token: string;
  /** `Authorization` header value for the administrator token. */
  readonly auth: string;
  readonly dataDir: string;
  /** `QUIVER_TEMP_DIR`: where uploads are streamed while they are checked. */
  readonly tempDir: string;
  readonly started: Started;
  /** Resolves with the process's exit code. */
  stop(): Promise<number | null>;
}

export interface UploadResult {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
}

export type Fields = Record<string, string | string[] | undefined>;

export interface FilePart {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly type?: string;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Starts `apps/embedded` on a free loopback port with data and upload temp directories under `work`. */
export async function startEmbedded(work: string, env: Readonly<Record<string, string>> = {}): Promise<EmbeddedRegistry> {
  const dataDir = join(work, 'data');
  const tempDir = join(work, 'upload-tmp');
  mkdirSync(tempDir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = startProcess(
    process.execPath,
    ['apps/embedded/dist/main.js'],
    { QUIVER_PORT: String(port), QUIVER_DATA_DIR: dataDir, QUIVER_TEMP_DIR: tempDir, QUIVER_NEW_PROJECTS_PER_HOUR: '0', ...env },
    root,
  );
  await waitForHttp(`${base}/-/upload/health`, started);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    base,
    token,
    auth: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`,
    dataDir,
    tempDir,
    started,
    stop: () => stopProcess(started),
  };
}

/** Uploads like twine to `registry` (embedded, or a distributed front door): `POST /legacy/`, form fields plus the `content` file part. */
export async function upload(
  registry: { readonly base: string; readonly auth: string },
  fields: Fields,
  file: FilePart | undefined,
  headers: Record<string, string> = {},
  path = '/legacy/',
): Promise<UploadResult> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
      form.append(key, item);
    }
  }
  if (file) {
    form.append('content', new Blob([Buffer.from(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  }
  const response = await fetch(`${registry.base}${path}`, { method: 'POST', body: form, headers: { authorization: registry.auth, ...headers }, redirect: 'manual' });
  return { status: response.status, reason: response.statusText, body: await response.text() };
}

/** The form twine sends for `file` of project `demo` 1.0 (wheel or sdist, by extension). */
export function distributionFields(file: FilePart, overrides: Fields = {}): Fields {
  const wheel = file.name.endsWith('.whl');
  return {
    ':action': 'file_upload',
    protocol_version: '1',
    name: 'demo',
    version: '1.0',
    metadata_version: '2.1',
    filetype: wheel ? 'bdist_wheel' : 'sdist',
    pyversion: wheel ? 'py3' : 'source',
    sha256_digest: sha256Hex(file.bytes),
    ...overrides,
  };
}

/** Regular files below `dir` (0 when it does not exist). */
export function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
  } catch {
    return 0;
  }
}

/** Everything below `dir`, directories included, as relative paths. */
export function listTree(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String).sort();
  } catch {
    return [];
  }
}

/**
 * Asserts a refusal: the status, the message (in the body, and a reason phrase), and that nothing
 * was stored: no project page, no blob, and nothing left in the upload temp directory.
 */
export async function refused(registry: EmbeddedRegistry, result: UploadResult, status: number, message: RegExp | string, project = 'demo'): Promise<void> {
  assert.equal(result.status, status, result.body);
  if (typeof message === 'string') {
    assert.equal(result.body.trim(), message);
  } else {
    assert.match(result.body, message);
  }
  assert.match(result.reason, /\S/, 'a meaningful reason phrase');
  const page = await fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: registry.auth } });
  await page.arrayBuffer();
  assert.equal(page.status, 404, 'no project was created');
  assert.equal(countFiles(join(registry.dataDir, 'blobs')), 0, 'no blob was stored');
  assert.deepEqual(listTree(registry.tempDir), [], 'nothing was left in the upload temp directory');
}

/**
 * Resets a Linux process's peak resident set size (VmHWM) to its current RSS, so a later
 * `peakRssBytes` measures only what happened in between (the embedded registry peaks at start-up).
 */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Peak resident set size (VmHWM) of a Linux process, in bytes. */
export function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match?.[1], `no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
