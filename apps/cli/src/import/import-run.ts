/**
 * `quiver import`: copies a package directory (pypiserver's, or any tree of wheels and sdists) or
 * another index (devpi, pypiserver, Artifactory, Nexus, another Quiver) into Quiver, file by file
 * through `POST /api/packages/-/import`.
 *
 * Idempotent and resumable without state of its own: before copying it reads what Quiver already
 * holds (each project's page), and a file Quiver has with the same sha256 is not copied again. An
 * interrupted run leaves nothing half-copied (the server keeps a file only once it has it whole),
 * so running it again finishes the job.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob, rmSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, fetch, FormData, type Response } from 'undici';
import { describeCause, requestUrl } from '../http-call.js';
import { printable } from '../plan.js';
import { isDistribution, normalize, pageKind, parseProjectPage, parseRootPage, projectMatcher, projectOfFilename, SIMPLE_ACCEPT, versionOfFilename, type SourceFile } from './simple-pages.js';
import { ImportProgress } from './import-progress.js';
import { summaryJson, summaryText, type ImportSummary, type FailedFile } from './import-summary.js';

export type ImportSource = { readonly kind: 'directory'; readonly path: string } | { readonly kind: 'index'; readonly url: string };

export interface ImportOptions {
  readonly source: ImportSource;
  /** `--projects`: comma-separated patterns over normalized names. */
  readonly projects?: string;
  /** `Authorization` for the source index (sent to its own origin only). */
  readonly sourceAuthorization?: string;
  readonly concurrency: number;
  readonly dryRun: boolean;
}

export interface ImportContext {
  readonly target: URL;
  /** The registry's `Authorization` (an administrator on '*'). */
  readonly targetAuthorization: string;
  readonly json: boolean;
  /** Standard error is a terminal: a progress bar instead of a line per file. */
  readonly stderrIsTerminal: boolean;
  readonly writeErr: (text: string) => void;
}

/** The outcome: what to print and the exit code (0 all copied, 1 a file failed, 3 a server unreachable). */
export interface ImportResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One file to bring over. */
interface Item {
  readonly project: string;
  readonly filename: string;
  readonly version: string;
  readonly from: { readonly kind: 'path'; readonly path: string } | { readonly kind: 'url'; readonly url: string };
  readonly hashes: Readonly<Record<string, string>>;
  readonly yanked: false | string;
  readonly uploadTime?: string;
  readonly size?: number;
}

interface TargetFile {
  readonly sha256?: string;
  readonly yanked: boolean;
}

class Unreachable extends Error {}
class Refused extends Error {}

const agent = new Agent({ connectTimeout: 10_000, headersTimeout: 120_000, bodyTimeout: 300_000 });
/** Hash algorithms a source may advertise that the importer can check. */
const CHECKABLE = ['sha256', 'sha512', 'sha384', 'md5'] as const;
/** Attempts per upload: a 5xx or a broken connection is retried (a byte-identical re-upload is safe). */
const ATTEMPTS = 3;

export async function runImport(options: ImportOptions, context: ImportContext): Promise<ImportResult> {
  const started = performance.now();
  const summary: ImportSummary = {
    source: options.source.kind === 'directory' ? options.source.path : options.source.url,
    dryRun: options.dryRun,
    projects: 0,
    files: 0,
    copied: 0,
    bytes: 0,
    present: 0,
    resent: 0,
    unverified: 0,
    yanked: 0,
    failed: [],
    skipped: [],
    seconds: 0,
  };
  const finish = (code: number): ImportResult => {
    summary.seconds = (performance.now() - started) / 1000;
    return context.json ? { code, stdout: summaryJson(summary), stderr: '' } : { code, stdout: summaryText(summary), stderr: '' };
  };
  const workDir = await mkdtemp(join(tmpdir(), 'quiver-import-downloads-'));
  try {
    const matches = projectMatcher(options.projects);
    const items = (options.source.kind === 'directory' ? await directoryItems(options.source.path, summary) : await indexItems(options.source.url, options, summary, matches)).filter((item) =>
      matches(item.project),
    );
    summary.files = items.length;
    summary.projects = new Set(items.map((item) => item.project)).size;
    const target = new TargetState(context);
    const progress = new ImportProgress(context, items.length);
    // Ctrl-C (or a TERM) ends the run at once: the bar gives the cursor back and no download stays
    // behind. What was copied stays copied; the next run carries on from there.
    const interrupted = (signal: NodeJS.Signals): void => {
      progress.stop();
      rmSync(workDir, { recursive: true, force: true });
      context.writeErr(`\nquiver: interrupted (${signal}); run the same command again to go on\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
    await forEachLimited(items, options.concurrency, async (item) => {
      const outcome = await copyOne(item, target, options, context, summary, workDir).catch((error: unknown) => {
        if (error instanceof Unreachable || error instanceof Refused) {
          throw error; // the whole run cannot go on
        }
        return { failed: printable(error instanceof Error ? error.message : String(error)) };
      });
      if ('failed' in outcome) {
        summary.failed.push({ project: item.project, filename: item.filename, reason: outcome.failed });
      }
      progress.done(item.filename, 'failed' in outcome ? 'failed' : outcome.kind, 'bytes' in outcome ? outcome.bytes : 0);
    }).finally(() => {
      progress.stop();
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    });
    if (!options.dryRun) {
      await carryYanks(items, context, summary);
    }
    return finish(summary.failed.length === 0 ? 0 : 1);
  } catch (error) {
    if (error instanceof Unreachable || error instanceof Refused) {
      const message = `quiver: ${printable(error.message)}\n`;
      return { code: error instanceof Unreachable ? 3 : 1, stdout: '', stderr: context.json ? `${JSON.stringify({ ok: false, error: error instanceof Unreachable ? 'unreachable' : 'refused', message: printable(error.message) })}\n` : message };
    }
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

type Copied = { readonly kind: 'copied' | 'would copy'; readonly bytes: number } | { readonly kind: 'present' } | { readonly failed: string };

async function copyOne(item: Item, target: TargetState, options: ImportOptions, context: ImportContext, summary: ImportSummary, workDir: string): Promise<Copied> {
  const existing = (await target.files(item.project)).get(item.filename);
  const advertised = item.hashes['sha256'];
  if (existing !== undefined && advertised !== undefined) {
    if (existing.sha256 === advertised) {
      summary.present += 1;
      return { kind: 'present' };
    }
    return { failed: `Quiver already has ${item.filename} with another sha256 (${existing.sha256 ?? 'unknown'}); the source's is ${advertised}` };
  }
  if (options.dryRun) {
    if (existing !== undefined) {
      summary.present += 1; // the source advertised no sha256 to compare: a real run downloads and checks it
      return { kind: 'present' };
    }
    summary.copied += 1;
    summary.bytes += item.size ?? 0;
    return { kind: 'would copy', bytes: item.size ?? 0 };
  }
  const local = item.from.kind === 'path' ? { path: item.from.path, ...(await hashFile(item.from.path)) } : await download(item, options, workDir);
  try {
    const checked = CHECKABLE.filter((algorithm) => item.hashes[algorithm] !== undefined);
    for (const algorithm of checked) {
      const actual = local.digests[algorithm];
      if (actual !== item.hashes[algorithm]) {
        return { failed: `the bytes do not match the source's ${algorithm} (the source advertises ${item.hashes[algorithm] ?? ''}, the bytes hash to ${actual ?? ''}); not copied` };
      }
    }
    if (item.from.kind === 'url' && checked.length === 0) {
      summary.unverified += 1;
    }
    if (existing !== undefined) {
      if (existing.sha256 === local.digests['sha256']) {
        summary.present += 1;
        return { kind: 'present' };
      }
      return { failed: `Quiver already has ${item.filename} with another sha256 (${existing.sha256 ?? 'unknown'}); the source's is ${local.digests['sha256'] ?? ''}` };
    }
    const answer = await uploadOne(item, local, context);
    if (answer.ok && answer.outcome === 'published') {
      summary.copied += 1;
      summary.bytes += local.size;
      return { kind: 'copied', bytes: local.size };
    }
    if (answer.ok) {
      summary.resent += 1; // another import put it there since this one read the page
      return { kind: 'present' };
    }
    return { failed: answer.message };
  } finally {
    if (item.from.kind === 'url') {
      await rm(local.path, { force: true });
    }
  }
}

interface LocalFile {
  readonly path: string;
  readonly size: number;
  readonly digests: Readonly<Record<string, string>>;
}

/** The checkable digests and the size of bytes as they pass. */
class Digests {
  private readonly hashes = CHECKABLE.map((algorithm) => [algorithm, createHash(algorithm)] as const);
  size = 0;

  update(chunk: Buffer): void {
    this.size += chunk.length;
    for (const [, hash] of this.hashes) {
      hash.update(chunk);
    }
  }

  /** A pass-through stream that hashes what flows through it. */
  transform(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.update(chunk);
        callback(null, chunk);
      },
    });
  }

  result(): Record<string, string> {
    return Object.fromEntries(this.hashes.map(([algorithm, hash]) => [algorithm, hash.digest('hex')]));
  }
}

async function hashFile(path: string): Promise<{ size: number; digests: Record<string, string> }> {
  const digests = new Digests();
  for await (const chunk of createReadStream(path)) {
    digests.update(chunk as Buffer);
  }
  return { size: digests.size, digests: digests.result() };
}

let downloads = 0;

/**
 * Files are asked for without the source's credentials until the source refuses one: the bytes are
 * checked against the page's hashes anyway, and some indexes check a password slowly on purpose
 * on every request (devpi-server: about 0.3 s a file, against 6 ms without). The first refusal
 * switches the run to sending them.
 */
const filesNeedCredentials = new WeakSet<ImportOptions>();

async function download(item: Item, options: ImportOptions, workDir: string): Promise<LocalFile> {
  if (item.from.kind !== 'url') {
    throw new Error('not a URL');
  }
  const anonymous = !filesNeedCredentials.has(options) && options.sourceAuthorization !== undefined;
  let response = await sourceFetch(item.from.url, options, '*/*', !anonymous);
  if (anonymous && [401, 403, 404].includes(response.status)) {
    await response.body?.cancel();
    filesNeedCredentials.add(options);
    response = await sourceFetch(item.from.url, options, '*/*');
  }
  if (response.status !== 200 || response.body === null) {
    await response.body?.cancel();
    throw new Error(`the source answered ${response.status} for ${item.filename}`);
  }
  downloads += 1;
  const path = join(workDir, String(downloads));
  const digests = new Digests();
  try {
    await pipeline(Readable.fromWeb(response.body), digests.transform(), createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await rm(path, { force: true });
    throw new Error(`downloading ${item.filename} broke off: ${describeCause(error, 'the connection closed')}`);
  }
  return { path, size: digests.size, digests: digests.result() };
}

async function uploadOne(item: Item, local: LocalFile, context: ImportContext): Promise<{ ok: true; outcome: string } | { ok: false; message: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const form = new FormData();
    form.append('name', item.project);
    form.append('sha256_digest', local.digests['sha256'] ?? '');
    if (item.uploadTime !== undefined) {
      form.append('upload_time', item.uploadTime);
    }
    form.append('content', await openAsBlob(local.path, { type: 'application/octet-stream' }), item.filename);
    let response: Response;
    try {
      response = await fetch(requestUrl(context.target, '/api/packages/-/import'), {
        method: 'POST',
        headers: { authorization: context.targetAuthorization, accept: 'application/json', 'user-agent': 'quiver-cli' },
        body: form,
        dispatcher: agent,
      });
    } catch (error) {
      if (attempt < ATTEMPTS) {
        await delay(attempt);
        continue;
      }
      throw new Unreachable(`cannot reach ${context.target.href}: ${describeCause(error, 'the request could not be sent')}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status === 200) {
      const outcome = parseObject(text)['outcome'] ?? 'published';
      return { ok: true, outcome: typeof outcome === 'string' ? outcome : 'published' };
    }
    if (response.status >= 500 && attempt < ATTEMPTS) {
      await delay(attempt);
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      throw new Refused(`Quiver answered ${response.status} to the import: it takes an administrator on '*' (${problemText(text, response.statusText)})`);
    }
    return { ok: false, message: `Quiver refused it (${response.status}): ${problemText(text, response.statusText)}` };
  }
}

const delay = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500 * attempt));

const parseObject = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const problemText = (text: string, fallback: string): string => {
  const detail = parseObject(text)['detail'];
  return printable(typeof detail === 'string' ? detail : text.trim().slice(0, 300) || fallback);
};

/** What Quiver holds, read once per project from its JSON project page. */
class TargetState {
  private readonly pages = new Map<string, Promise<Map<string, TargetFile>>>();

  constructor(private readonly context: ImportContext) {}

  files(project: string): Promise<Map<string, TargetFile>> {
    let page = this.pages.get(project);
    if (page === undefined) {
      page = this.read(project);
      this.pages.set(project, page);
    }
    return page;
  }

  private async read(project: string): Promise<Map<string, TargetFile>> {
    const url = requestUrl(this.context.target, `/simple/${encodeURIComponent(project)}/`);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: this.context.targetAuthorization, accept: 'application/vnd.pypi.simple.v1+json', 'user-agent': 'quiver-cli' }, dispatcher: agent });
    } catch (error) {
      throw new Unreachable(`cannot reach ${this.context.target.href}: ${describeCause(error, 'the request could not be sent')}`);
    }
    const text = await response.text();
    if (response.status === 404) {
      return new Map();
    }
    if (response.status === 401 || response.status === 403) {
      throw new Refused(`Quiver answered ${response.status} when reading ${project}'s page: the import takes an administrator on '*' (check QUIVER_TOKEN)`);
    }
    if (response.status !== 200) {
      throw new Refused(`Quiver answered ${response.status} when reading ${project}'s page`);
    }
    const files = parseProjectPage('json', text, url.href);
    return new Map(files.map((file) => [file.filename, { yanked: file.yanked !== false, ...(file.hashes['sha256'] === undefined ? {} : { sha256: file.hashes['sha256'] }) }]));
  }
}

/**
 * PEP 592 yanks files, Quiver yanks releases: a release whose every file the source yanks is
 * yanked (with the source's reason) unless Quiver has it yanked already.
 */
async function carryYanks(items: readonly Item[], context: ImportContext, summary: ImportSummary): Promise<void> {
  const releases = new Map<string, Item[]>();
  for (const item of items) {
    const key = `${item.project}\u0000${item.version}`;
    releases.set(key, [...(releases.get(key) ?? []), item]);
  }
  const failed = new Set(summary.failed.map((failure) => failure.filename));
  // Read again: the pages read before copying do not show what this run copied.
  const after = new TargetState(context);
  for (const files of releases.values()) {
    const [first] = files;
    if (first === undefined || files.some((file) => file.yanked === false) || files.every((file) => failed.has(file.filename))) {
      continue;
    }
    const held = await after.files(first.project);
    if (files.every((file) => held.get(file.filename)?.yanked !== false)) {
      continue; // yanked there already (or none of its files arrived)
    }
    const reason = files.map((file) => file.yanked).find((text) => text !== false && text !== '') ?? '';
    const response = await fetch(requestUrl(context.target, `/api/packages/${encodeURIComponent(first.project)}/releases/${encodeURIComponent(first.version)}/yank`), {
      method: 'POST',
      headers: { authorization: context.targetAuthorization, accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'quiver-cli' },
      body: JSON.stringify({ reason }),
      dispatcher: agent,
    }).catch((error: unknown) => {
      throw new Unreachable(`cannot reach ${context.target.href}: ${describeCause(error, 'the request could not be sent')}`);
    });
    const text = await response.text();
    if (response.status === 200) {
      summary.yanked += 1;
    } else {
      summary.failed.push({ project: first.project, filename: `${first.project} ${first.version}`, reason: `yanking the release failed (${response.status}): ${problemText(text, response.statusText)}` });
    }
  }
}

/** Every wheel and sdist below `root` (hidden directories skipped); anything else is listed as skipped. */
async function directoryItems(root: string, summary: ImportSummary): Promise<Item[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Refused(`cannot read the directory ${root} (${typeof code === 'string' ? code : 'unreadable'})`);
  }
  const items: Item[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || relative(root, path).split('/').some((part) => part.startsWith('.'))) {
      continue;
    }
    const project = projectOfFilename(entry.name);
    const version = versionOfFilename(entry.name);
    if (!isDistribution(entry.name) || project === undefined || version === undefined) {
      summary.skipped.push(relative(root, path));
      continue;
    }
    const info = await stat(path);
    // A package directory keeps no upload times: a file's modification time is when it was put there.
    items.push({ project, filename: entry.name, version, from: { kind: 'path', path }, hashes: {}, yanked: false, uploadTime: info.mtime.toISOString(), size: info.size });
  }
  return items.sort((a, b) => a.filename.localeCompare(b.filename));
}

async function sourceFetch(url: string, options: ImportOptions, accept: string, withCredentials = true): Promise<Response> {
  const origin = options.source.kind === 'index' ? new URL(options.source.url).origin : undefined;
  // The source's credentials go to the source's own origin only, never to a file host elsewhere.
  const authorization = withCredentials && options.sourceAuthorization !== undefined && new URL(url).origin === origin ? { authorization: options.sourceAuthorization } : {};
  try {
    return await fetch(url, { headers: { accept, 'user-agent': 'quiver-cli (import)', ...authorization }, dispatcher: agent });
  } catch (error) {
    throw new Unreachable(`cannot reach the source ${new URL(url).origin}: ${describeCause(error, 'the request could not be sent')}`);
  }
}

async function sourcePage(url: string, options: ImportOptions): Promise<{ kind: 'json' | 'html'; text: string; url: string } | { status: number }> {
  const response = await sourceFetch(url, options, SIMPLE_ACCEPT);
  const text = await response.text();
  if (response.status !== 200) {
    return { status: response.status };
  }
  const kind = pageKind(response.headers.get('content-type') ?? '');
  if (kind === undefined) {
    throw new Refused(`${url} is not a simple index page (Content-Type ${response.headers.get('content-type') ?? 'none'})`);
  }
  return { kind, text, url: response.url || url };
}

/** The files of every project the index lists (and `--projects` selects); other file types are listed as skipped. */
async function indexItems(url: string, options: ImportOptions, summary: ImportSummary, matches: (project: string) => boolean): Promise<Item[]> {
  const rootUrl = url.endsWith('/') ? url : `${url}/`;
  const root = await sourcePage(rootUrl, options);
  if ('status' in root) {
    const hint = root.status === 401 || root.status === 403 ? ': give --username with --password-stdin, or --token-stdin' : '';
    throw new Refused(`the source answered ${root.status} for its index page ${rootUrl}${hint}`);
  }
  const projects = parseRootPage(root.kind, root.text, root.url).filter((project) => matches(normalize(project.name)));
  const items: Item[] = [];
  const failures: FailedFile[] = [];
  await forEachLimited(projects, options.concurrency, async (project) => {
    const page = await sourcePage(project.url, options);
    if ('status' in page) {
      failures.push({ project: normalize(project.name), filename: '(project page)', reason: `the source answered ${page.status} for ${project.url}` });
      return;
    }
    for (const file of parseProjectPage(page.kind, page.text, page.url)) {
      items.push(sourceItem(normalize(project.name), file, summary));
    }
  });
  summary.failed.push(...failures);
  return items.filter((item) => item.version !== '').sort((a, b) => a.filename.localeCompare(b.filename));
}

function sourceItem(project: string, file: SourceFile, summary: ImportSummary): Item {
  const version = versionOfFilename(file.filename);
  if (!isDistribution(file.filename) || version === undefined) {
    summary.skipped.push(file.filename);
    return { project, filename: file.filename, version: '', from: { kind: 'url', url: file.url }, hashes: {}, yanked: false };
  }
  return {
    project,
    filename: file.filename,
    version,
    from: { kind: 'url', url: file.url },
    hashes: file.hashes,
    yanked: file.yanked,
    ...(file.uploadTime === undefined ? {} : { uploadTime: file.uploadTime }),
  };
}

/** Runs `work` over `items` with at most `limit` at a time; the first error stops taking new items and is thrown. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) {
    throw failure.error;
  }
}
