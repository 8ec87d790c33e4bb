/**
 * BAD-INPUT.md's upload policy cases against running (embedded) registries: local versions (5),
 * single-line summaries (13), trove classifiers (14), the project quota (22), closed releases (27),
 * platform tags (37), standard-library and prohibited names (42, 43), the new-project rate
 * limit (44), names confusable with an existing project's, new projects disallowed (64), per-project
 * upload limits (65) and non-volatile projects (68). Every refusal is checked for its status and message and for leaving nothing behind:
 * no project page, no JSON API entry, no new blob.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { freePort, startProcess, stopProcess, waitForHttp, type Started } from './support/process.js';
import { basicToken } from './support/publish.js';
import { grant, issueToken } from './support/access.js';

const root = join(import.meta.dirname, '..', '..', '..');

type Fields = Record<string, string | string[] | undefined>;

interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
}

interface Wheel {
  readonly filename: string;
  readonly bytes: Uint8Array;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** A generated wheel for `name` `version`, optionally under another (tag-bearing) filename. */
function wheel(name: string, version: string, filename?: string): Wheel {
  const built = buildWheel(name, version);
  return { filename: filename ?? built.filename, bytes: built.bytes };
}

/** One embedded registry with its own data directory and settings, and the checks every case uses. */
class Registry {
  readonly work = mkdtempSync(join(tmpdir(), 'quiver-upload-policy-'));
  private process?: Started;
  base = '';
  token = '';

  constructor(private readonly settings: Record<string, string>) {}

  /** The administrator's client, for the auth service's admin API. */
  get admin(): { base: string; auth: string } {
    return { base: this.base, auth: this.auth };
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.process = startProcess(process.execPath, ['apps/embedded/dist/main.js'], { QUIVER_PORT: String(port), QUIVER_DATA_DIR: join(this.work, 'data'), ...this.settings }, root);
    await waitForHttp(`${this.base}/-/upload/health`, this.process);
    this.token = readFileSync(join(this.work, 'data', 'admin-token'), 'utf8').trim();
  }

  /** Stops the process and starts it again on the same data with `settings` added. */
  async restart(settings: Record<string, string>): Promise<void> {
    const code = this.process ? await stopProcess(this.process) : 0;
    assert.equal(code, 0, this.output());
    Object.assign(this.settings, settings);
    await this.start();
  }

  async stop(): Promise<void> {
    const code = this.process ? await stopProcess(this.process) : 0;
    const output = this.process?.output() ?? '';
    rmSync(this.work, { recursive: true, force: true });
    assert.equal(code, 0, output);
  }

  get auth(): string {
    return basicToken(this.token);
  }

  output(): string {
    return this.process?.output() ?? '';
  }

  /** Uploads `file` as twine does (with the administrator's token unless `auth` is given); `fields` override the defaults derived from the wheel. */
  async upload(name: string, version: string, file: Wheel, fields: Fields = {}, auth = this.auth): Promise<Answer> {
    const form = new FormData();
    const all: Fields = {
      ':action': 'file_upload',
      protocol_version: '1',
      name,
      version,
      metadata_version: '2.1',
      filetype: 'bdist_wheel',
      pyversion: 'py3',
      sha256_digest: sha256(file.bytes),
      ...fields,
    };
    for (const [key, value] of Object.entries(all)) {
      for (const item of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
        form.append(key, item);
      }
    }
    form.append('content', new Blob([Buffer.from(file.bytes)], { type: 'application/octet-stream' }), file.filename);
    const response = await fetch(`${this.base}/legacy/`, { method: 'POST', body: form, headers: { authorization: auth } });
    return { status: response.status, reason: response.statusText, body: await response.text() };
  }

  blobCount(): number {
    try {
      return readdirSync(join(this.work, 'data', 'blobs'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
    } catch {
      return 0;
    }
  }

  async json(project: string): Promise<{ status: number; body: { releases?: Record<string, { filename: string }[]>; info?: { version: string } } }> {
    const response = await fetch(`${this.base}/pypi/${normalize(project)}/json`, { headers: { authorization: this.auth } });
    return { status: response.status, body: response.status === 200 ? ((await response.json()) as { releases?: Record<string, { filename: string }[]> }) : {} };
  }

  async filenames(project: string): Promise<string[]> {
    const { body } = await this.json(project);
    return Object.values(body.releases ?? {}).flat().map((file) => file.filename).sort();
  }

  async settingsOf(project: string, body?: unknown, auth = this.auth): Promise<Answer> {
    const response = await fetch(`${this.base}/api/packages/${encodeURIComponent(project)}/settings`, {
      method: body === undefined ? 'GET' : 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, reason: response.statusText, body: await response.text() };
  }

  /**
   * Asserts a refusal (status, message, reason phrase) and that it stored nothing: the project is
   * still absent (or, if it existed, lists the same files), the JSON API agrees, and no blob was added.
   */
  async refused(upload: () => Promise<Answer>, project: string, status: number, message: RegExp): Promise<Answer> {
    const blobsBefore = this.blobCount();
    const filesBefore = await this.filenames(project);
    const pageBefore = (await fetch(`${this.base}/simple/${normalize(project)}/`, { headers: { authorization: this.auth } })).status;
    const result = await upload();
    assert.equal(result.status, status, result.body);
    assert.match(result.body, message);
    assert.match(result.reason, /\S/, 'a meaningful reason phrase');
    const page = await fetch(`${this.base}/simple/${normalize(project)}/`, { headers: { authorization: this.auth } });
    assert.equal(page.status, pageBefore, 'the project page is as it was');
    if (pageBefore === 404) {
      assert.equal((await this.json(project)).status, 404, 'no project in the JSON API');
    }
    assert.deepEqual(await this.filenames(project), filesBefore, 'no file was added');
    assert.equal(this.blobCount(), blobsBefore, 'no blob was stored');
    return result;
  }

  async accepted(name: string, version: string, file: Wheel, fields: Fields = {}): Promise<void> {
    const result = await this.upload(name, version, file, fields);
    assert.equal(result.status, 200, result.body);
    assert.ok((await this.filenames(name)).includes(file.filename), `${file.filename} is served`);
  }

  /** Runs the `quiver` CLI against this registry (with the administrator's token unless `token` is given). */
  async cli(args: readonly string[], token = this.token): Promise<{ code: number | null; output: string }> {
    const started = startProcess(process.execPath, ['apps/cli/dist/main.js', ...args], { QUIVER_URL: this.base, QUIVER_TOKEN: token }, root);
    const code = await exited(started);
    return { code, output: started.output() };
  }
}

async function exited(started: Started): Promise<number | null> {
  if (started.child.exitCode !== null) {
    return started.child.exitCode;
  }
  return new Promise((resolve) => started.child.on('exit', resolve));
}

describe('upload policy (BAD-INPUT 5, 13, 14, 22, 27, 37, 42, 43, 68, confusable names) against the running registry', () => {
  // Room for three of project 'quota''s padded wheels (about 20 kB each) but not four; the other
  // cases' wheels (under 1 kB) stay far below it.
  const quota = 64 * 1024;
  const padded = (version: string): Wheel => {
    const built = buildWheel('quota', version, { extra: [{ name: 'quota/padding.bin', data: randomBytes(20_000) }] });
    return { filename: built.filename, bytes: built.bytes };
  };
  const registry = new Registry({
    QUIVER_NEW_PROJECTS_PER_HOUR: '0',
    QUIVER_PROHIBITED_PROJECT_NAMES: 'internal-secrets',
    QUIVER_PROJECT_QUOTA_BYTES: String(quota),
  });

  before(() => registry.start());

  after(() => registry.stop());

  it('accepts local versions and orders them after their public version (5)', async () => {
    await registry.accepted('local', '1.0', wheel('local', '1.0'));
    await registry.accepted('local', '1.0+local', wheel('local', '1.0+local'));
    await registry.accepted('local', '1.0+local.2', wheel('local', '1.0+local.2'));
    await registry.accepted('local', '0.9', wheel('local', '0.9'));
    const simple = await fetch(`${registry.base}/simple/local/`, { headers: { authorization: registry.auth, accept: 'application/vnd.pypi.simple.v1+json' } });
    const page = (await simple.json()) as { versions: string[]; files: { filename: string }[] };
    assert.deepEqual(page.versions, ['0.9', '1.0', '1.0+local', '1.0+local.2']);
    assert.deepEqual(
      page.files.map((file) => file.filename),
      ['local-0.9-py3-none-any.whl', 'local-1.0-py3-none-any.whl', 'local-1.0+local-py3-none-any.whl', 'local-1.0+local.2-py3-none-any.whl'],
    );
    const html = await (await fetch(`${registry.base}/simple/local/`, { headers: { authorization: registry.auth } })).text();
    assert.ok(html.indexOf('local-1.0-py3') < html.indexOf('local-1.0+local-py3'), 'the HTML page lists 1.0 before 1.0+local');
    const latest = await registry.json('local');
    assert.equal(latest.body.info?.version, '1.0+local.2');
  });

  it('refuses a summary of more than one line (13)', async () => {
    const file = wheel('demo', '1.0');
    await registry.refused(() => registry.upload('demo', '1.0', file, { summary: 'first line\nsecond line' }), 'demo', 400, /'summary' must be a single line\. See https:\/\/packaging\.python\.org\/specifications\/core-metadata/);
    await registry.refused(() => registry.upload('demo', '1.0', file, { summary: 'carriage\rreturn' }), 'demo', 400, /'summary' must be a single line\./);
  });

  it('refuses unknown and deprecated classifiers, accepts known and private ones (14)', async () => {
    const file = wheel('demo', '1.0');
    await registry.refused(() => registry.upload('demo', '1.0', file, { classifiers: ['Programming Language :: Python :: 3', 'Foo :: Bar'] }), 'demo', 400, /'Foo :: Bar' is not a valid classifier\. See /);
    await registry.refused(
      () => registry.upload('demo', '1.0', file, { classifiers: 'Natural Language :: Ukranian' }),
      'demo',
      400,
      /The classifier 'Natural Language :: Ukranian' has been deprecated, use one of \['Natural Language :: Ukrainian'\] instead\./,
    );
    await registry.refused(
      () => registry.upload('demo', '1.0', file, { classifiers: 'License :: OSI Approved :: Jabber Open Source License' }),
      'demo',
      400,
      /The classifier 'License :: OSI Approved :: Jabber Open Source License' has been deprecated\. See /,
    );
    await registry.accepted('classified', '1.0', wheel('classified', '1.0'), { classifiers: ['Programming Language :: Python :: 3', 'Private :: Do Not Upload'] });
  });

  it('accepts linux_x86_64 and manylinux wheels, refuses tags no installer selects (37)', async () => {
    const bytes = wheel('platforms', '1.0').bytes;
    for (const tag of ['linux_x86_64', 'manylinux_2_17_x86_64.manylinux2014_x86_64', 'macosx_11_0_arm64']) {
      await registry.accepted('platforms', '1.0', { filename: `platforms-1.0-cp312-cp312-${tag}.whl`, bytes }, { pyversion: 'cp312' });
    }
    const other = wheel('platforms', '1.0').bytes; // same bytes, other names: only the tag decides
    await registry.refused(
      () => registry.upload('platforms', '1.0', { filename: 'platforms-1.0-cp312-cp312-macosx_9_2_x86_64.whl', bytes: other }, { pyversion: 'cp312' }),
      'platforms',
      400,
      /Binary wheel 'platforms-1\.0-cp312-cp312-macosx_9_2_x86_64\.whl' has an unsupported platform tag 'macosx_9_2_x86_64'\./,
    );
    await registry.refused(
      () => registry.upload('platforms', '1.0', { filename: 'platforms-1.0-cp312-cp312-linux_x86_64.win32.whl', bytes: other }, { pyversion: 'cp312' }),
      'platforms',
      400,
      /has an unsupported platform tag 'linux_x86_64\.win32': one wheel cannot be built for several operating systems\./,
    );
    await registry.refused(
      () => registry.upload('newplatform', '1.0', { filename: 'newplatform-1.0-cp312-cp312-win_x86_64.whl', bytes: wheel('newplatform', '1.0').bytes }, { pyversion: 'cp312' }),
      'newplatform',
      400,
      /has an unsupported platform tag 'win_x86_64'\./,
    );
  });

  it('refuses standard-library and prohibited names for new projects (42, 43)', async () => {
    for (const name of ['encodings', 'xml.parsers.expat', 'CGIHTTPServer', 'Email']) {
      await registry.refused(
        () => registry.upload(name, '1.0', wheel(name, '1.0')),
        name,
        400,
        new RegExp(`The name '${name.replace(/\./g, '\\.')}' isn't allowed \\(conflict with Python Standard Library module name\\)\\. See https://`),
      );
    }
    for (const name of ['requirements.txt', 'Requirements_TXT', 'internal.secrets']) {
      await registry.refused(() => registry.upload(name, '1.0', wheel(name, '1.0')), name, 400, new RegExp(`The name '${name.replace(/\./g, '\\.')}' isn't allowed\\. See https://`));
    }
    await registry.accepted('encodings-extra', '1.0', wheel('encodings-extra', '1.0'));
  });

  it('refuses an upload that would push the project over its quota, counting only live files (22)', async () => {
    const first = padded('1.0');
    for (const file of [first, padded('1.1'), padded('1.2')]) {
      await registry.accepted('quota', file.filename.split('-')[1] ?? '', file);
    }
    const refused = await registry.refused(() => registry.upload('quota', '2.0', padded('2.0')), 'quota', 400, /^Project size too large\. Limit for project 'quota' total size is 65536 bytes\./);
    assert.match(refused.reason, /^Project size too large/);
    assert.equal((await registry.upload('quota', '1.0', first)).status, 200, 'an identical re-upload adds nothing and stays 200');
    const removed = await fetch(`${registry.base}/api/packages/quota/files/${first.filename}`, { method: 'DELETE', headers: { authorization: registry.auth } });
    assert.equal(removed.status, 200);
    await registry.accepted('quota', '2.0', padded('2.0'));
  });

  it('closes old releases to new files once a project turns the rule on, never new releases (27)', async () => {
    // A distinct build number per attempt gives every attempt its own filename.
    let build = 0;
    const nextFile = (): Wheel => ({ filename: `closing-1.0-${(build += 1)}-py3-none-any.whl`, bytes: wheel('closing', '1.0').bytes });
    await registry.accepted('closing', '1.0', wheel('closing', '1.0'));
    await registry.accepted('closing', '1.0', nextFile());
    const shown = await registry.cli(['settings', 'closing']);
    assert.equal(shown.code, 0, shown.output);
    assert.match(shown.output, /\{"closeReleasesAfter":null,"nonVolatile":false,"uploadLimit":null\}/, 'off by default');
    const set = await registry.cli(['settings', 'closing', '--close-releases-after', '1s']);
    assert.equal(set.code, 0, set.output);
    assert.match(set.output, /\{"closeReleasesAfter":"1s","nonVolatile":false,"uploadLimit":null\}/);
    assert.match((await registry.settingsOf('closing')).body, /"closeReleasesAfter":"1s"/);

    const refusal = await eventually(
      async () => {
        const blobs = registry.blobCount();
        const file = nextFile();
        const result = await registry.upload('closing', '1.0', file);
        if (result.status === 200) {
          return false; // still within the second: try again with the next file
        }
        return { result, blobs, file };
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'release 1.0 refusing new files' },
    );
    assert.equal(refusal.result.status, 400, refusal.result.body);
    assert.match(refusal.result.body, /^Uploading new files to releases older than 1 second is not allowed\./);
    assert.equal(registry.blobCount(), refusal.blobs, 'no blob was stored');
    assert.ok(!(await registry.filenames('closing')).includes(refusal.file.filename), 'the refused file is not served');
    await registry.refused(() => registry.upload('closing', '1.0', nextFile()), 'closing', 400, /older than 1 second is not allowed/);
    await registry.accepted('closing', '2.0', wheel('closing', '2.0'));

    const bad = await registry.settingsOf('closing', { closeReleasesAfter: '2 weeks' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /'closeReleasesAfter' must be a duration such as '14d'/);
    assert.equal((await registry.settingsOf('nope', { closeReleasesAfter: '14d' })).status, 404);
    const odd = await registry.settingsOf('<b>odd</b>');
    assert.equal(odd.status, 404);
    assert.doesNotMatch(odd.body, /<b>/, 'the path is not reflected');
    const off = await registry.cli(['settings', 'closing', '--close-releases-after', 'off']);
    assert.equal(off.code, 0, off.output);
    await registry.accepted('closing', '1.0', nextFile());
  });

  it('refuses a new project whose name is confusable with an existing one, naming it; the same project under another spelling is no new project', async () => {
    await registry.accepted('acme-tools', '1.0', wheel('acme-tools', '1.0'));
    for (const name of ['acme-t00ls', 'AcmeTools', 'acme.too1s', 'acme-tooIs']) {
      await registry.refused(
        () => registry.upload(name, '1.0', wheel(name, '1.0')),
        name,
        400,
        new RegExp(`^The name '${name.replace(/\./g, '\\.')}' is too similar to an existing project, 'acme-tools'\\. Upload to 'acme-tools', or choose a clearly different name\\.`),
      );
    }
    await registry.accepted('Acme_Tools', '2.0', wheel('Acme_Tools', '2.0'));
    await registry.accepted('acme-tool', '1.0', wheel('acme-tool', '1.0'));
  });

  it('keeps the files of a non-volatile project unless an administrator on * forces the delete (68)', async () => {
    const kept = wheel('keep', '1.0');
    await registry.accepted('keep', '1.0', kept);
    const owner = await issueToken(registry.admin, 'keep-owner', 'project admin');
    await grant(registry.admin, 'keep-owner', 'admin', 'keep');
    const protect = await registry.cli(['settings', 'keep', '--non-volatile'], owner.token);
    assert.equal(protect.code, 0, protect.output);
    assert.match(protect.output, /"nonVolatile":true/);
    const remove = (query: string, auth: string): Promise<Response> => fetch(`${registry.base}/api/packages/keep/files/${kept.filename}${query}`, { method: 'DELETE', headers: { authorization: auth, accept: 'application/json' } });
    for (const auth of [registry.auth, basicToken(owner.token)]) {
      const refused = await remove('', auth);
      assert.equal(refused.status, 403);
      assert.deepEqual(JSON.parse(await refused.text()), {
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: "Project 'keep' is non-volatile: its files cannot be deleted. An administrator on '*' can force it (quiver delete --force).",
        code: 'non-volatile',
      });
    }
    assert.equal((await remove('?force=true', basicToken(owner.token))).status, 403, "forcing takes an administrator on '*'");
    assert.equal((await registry.settingsOf('keep', { nonVolatile: false }, basicToken(owner.token))).status, 403, "so does making it volatile again");
    assert.equal((await remove('?force=yes', registry.auth)).status, 400);
    assert.deepEqual(await registry.filenames('keep'), [kept.filename], 'nothing was deleted');
    const forced = await registry.cli(['delete', 'keep', kept.filename, '--force']);
    assert.equal(forced.code, 0, forced.output);
    assert.deepEqual(await registry.filenames('keep'), []);
    const volatile = await registry.cli(['settings', 'keep', '--volatile']);
    assert.equal(volatile.code, 0, volatile.output);
    assert.match(volatile.output, /"nonVolatile":false/);
  });
});

describe('new projects disallowed (BAD-INPUT 64) against the running registry', () => {
  const registry = new Registry({ QUIVER_NEW_PROJECTS_PER_HOUR: '0' });

  before(() => registry.start());
  after(() => registry.stop());

  it('refuses every upload that would create a project with 403, stores nothing, and takes uploads to existing projects', async () => {
    await registry.accepted('existing', '1.0', wheel('existing', '1.0'));
    await registry.restart({ QUIVER_DISALLOW_NEW_PROJECTS: 'true' });
    const refused = await registry.refused(() => registry.upload('brand-new', '1.0', wheel('brand-new', '1.0')), 'brand-new', 403, /^New project registration temporarily disabled\. See docs\/publishing\.md#new-projects /);
    assert.match(refused.reason, /^New project registration temporarily disabled/);
    await registry.accepted('existing', '2.0', wheel('existing', '2.0'));
  });
});

describe('per-project upload limit (BAD-INPUT 65) against the running registry', () => {
  const registry = new Registry({ QUIVER_NEW_PROJECTS_PER_HOUR: '0', QUIVER_MAX_UPLOAD_BYTES: String(1024 * 1024) });
  /** A wheel of `name` padded with `bytes` of random (incompressible) data. */
  const padded = (name: string, version: string, bytes: number): Wheel => {
    const built = buildWheel(name, version, { extra: [{ name: `${normalize(name).replace(/-/g, '_')}/padding.bin`, data: randomBytes(bytes), method: 0 }] });
    return { filename: built.filename, bytes: built.bytes };
  };

  before(() => registry.start());
  after(() => registry.stop());

  it("takes files up to a project's own limit, above or below the registry's, set only by an administrator on * and never above 1 GiB", async () => {
    await registry.accepted('big-one', '1.0', wheel('big-one', '1.0'));
    await registry.accepted('small-one', '1.0', wheel('small-one', '1.0'));
    const owner = await issueToken(registry.admin, 'big-owner', 'project admin');
    await grant(registry.admin, 'big-owner', 'admin', 'big-one');
    assert.equal((await registry.settingsOf('big-one', { uploadLimit: 2 * 1024 * 1024 }, basicToken(owner.token))).status, 403, "a project's admin cannot raise its limit");
    const tooHigh = await registry.settingsOf('big-one', { uploadLimit: 1024 ** 3 + 1 });
    assert.equal(tooHigh.status, 400, tooHigh.body);
    assert.match(tooHigh.body, /'uploadLimit' can be at most 1 GiB \(1073741824 bytes\)\./);
    const viaCli = await registry.cli(['settings', 'big-one', '--upload-limit', String(1024 ** 3 + 1)]);
    assert.notEqual(viaCli.code, 0, viaCli.output);
    assert.match((await registry.settingsOf('big-one')).body, /"uploadLimit":null/, 'unchanged');

    const raised = await registry.cli(['settings', 'big-one', '--upload-limit', String(2 * 1024 * 1024)]);
    assert.equal(raised.code, 0, raised.output);
    assert.match(raised.output, /"uploadLimit":2097152/);
    const lowered = await registry.cli(['settings', 'small-one', '--upload-limit', '30000']);
    assert.equal(lowered.code, 0, lowered.output);

    await registry.accepted('big-one', '2.0', padded('big-one', '2.0', 1_500_000));
    await registry.refused(() => registry.upload('big-one', '3.0', padded('big-one', '3.0', 2_200_000)), 'big-one', 400, /^File too large\. Limit for project 'big-one' is 2 MB\./);
    await registry.refused(() => registry.upload('other', '1.0', padded('other', '1.0', 1_500_000)), 'other', 400, /^File too large\. Limit for this registry is 1 MB\./);
    await registry.refused(() => registry.upload('small-one', '2.0', padded('small-one', '2.0', 40_000)), 'small-one', 400, /^File too large\. Limit for project 'small-one' is 30000 bytes\./);
    await registry.accepted('small-one', '2.0', wheel('small-one', '2.0'));
    const reset = await registry.cli(['settings', 'big-one', '--upload-limit', 'off']);
    assert.equal(reset.code, 0, reset.output);
    await registry.refused(() => registry.upload('big-one', '3.0', padded('big-one', '3.0', 1_500_000)), 'big-one', 400, /^File too large\. Limit for this registry is 1 MB\./);
  });
});

describe('new-project rate limit (BAD-INPUT 44) against the running registry', () => {
  const LIMIT = 3;
  const registry = new Registry({ QUIVER_NEW_PROJECTS_PER_HOUR: String(LIMIT) });

  before(() => registry.start());
  after(() => registry.stop());

  let publisher = '';

  before(async () => {
    await grant(registry.admin, 'burst-ci', 'developer', '*');
    publisher = basicToken((await issueToken(registry.admin, 'burst-ci', 'publishes new projects')).token);
  });

  it('lets exactly the limit of concurrent new projects through, then answers 429, while existing projects take uploads', async () => {
    const names = Array.from({ length: 10 }, (_, index) => `burst-${index}`);
    const results = await Promise.all(names.map((name) => registry.upload(name, '1.0', wheel(name, '1.0'), {}, publisher)));
    const created = names.filter((_, index) => results[index]?.status === 200);
    assert.equal(created.length, LIMIT, results.map((result) => `${result.status} ${result.body}`).join('\n'));
    for (const [index, result] of results.entries()) {
      if (result.status !== 200) {
        assert.equal(result.status, 429, result.body);
        assert.match(result.body, /^Too many new projects created/);
        const name = names[index] ?? '';
        assert.equal((await fetch(`${registry.base}/simple/${name}/`, { headers: { authorization: registry.auth } })).status, 404, `${name} was not created`);
        assert.equal((await registry.json(name)).status, 404);
      }
    }
    assert.equal(registry.blobCount(), 2 * LIMIT, 'only the created projects stored blobs (a wheel and its core-metadata file each)');

    const refused = await registry.refused(() => registry.upload('one-more', '1.0', wheel('one-more', '1.0'), {}, publisher), 'one-more', 429, /^Too many new projects created/);
    assert.match(refused.reason, /^Too many new projects created/);
    const existing = created[0] ?? '';
    assert.equal((await registry.upload(existing, '2.0', wheel(existing, '2.0'), {}, publisher)).status, 200);
    await registry.accepted(existing, '3.0', wheel(existing, '3.0'));
  });

  it("does not hold back an administrator on '*' (nor so an import): new projects past the limit are created", async () => {
    for (const name of ['admin-new-1', 'admin-new-2', 'admin-new-3', 'admin-new-4']) {
      await registry.accepted(name, '1.0', wheel(name, '1.0'));
    }
  });
});
