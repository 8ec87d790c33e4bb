/**
 * `quiver import` (issue 14, Done-when 3) against real sources: a pypiserver package directory
 * (pypiserver 2.4.2 serving the same directory, for the hashes it advertises), a devpi-server
 * 6.20.3 index (PEP 691 JSON, behind its own sign-in), and another Quiver (upload times and yanks).
 * pip then installs every project with `--require-hashes` and the source's hashes; a second run
 * copies nothing; a run killed halfway is finished by the next. Hostile cases: a source whose
 * hashes do not match its bytes, a caller that is not an administrator on '*', a bad upload time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, requireEnv } from '@quiver/shared-testing';
import { grant, issueToken } from './support/access.js';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { environment, execute, show, type Ran } from './support/cli.js';
import { freePort, startProcess, stopProcess, waitForHttp, type Started } from './support/process.js';
import { basicToken } from './support/publish.js';
import { buildProject, runPython } from './support/python.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'node_modules', '.bin', 'quiver');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const JSON_PAGE = 'application/vnd.pypi.simple.v1+json';

interface Summary {
  readonly ok: boolean;
  readonly projects: number;
  readonly files: number;
  readonly copied: number;
  readonly present: number;
  readonly resent: number;
  readonly yanked: number;
  readonly failed: readonly { readonly filename: string; readonly reason: string }[];
  readonly skipped: readonly string[];
}

interface PageFile {
  readonly filename: string;
  readonly hashes: Readonly<Record<string, string>>;
  readonly 'upload-time'?: string;
  readonly yanked: boolean | string;
}

/** A project's files as a simple page lists them (`auth` for a registry that wants it). */
async function pageFiles(url: string, auth?: string): Promise<PageFile[]> {
  const response = await fetch(url, { headers: { accept: JSON_PAGE, ...(auth === undefined ? {} : { authorization: auth }) } });
  if (response.status === 404) {
    return [];
  }
  assert.equal(response.status, 200, `${url}: ${await response.clone().text()}`);
  return ((await response.json()) as { files: PageFile[] }).files;
}

/** Every filename → sha256 pypiserver's HTML pages advertise (`#sha256=` fragments) for `projects`. */
async function htmlHashes(base: string, projects: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const project of projects) {
    const html = await (await fetch(`${base}/simple/${project}/`)).text();
    for (const match of html.matchAll(/href="[^"]*\/([^/"#]+)#sha256=([0-9a-f]{64})"/g)) {
      hashes.set(match[1] ?? '', match[2] ?? '');
    }
  }
  return hashes;
}

/** Uploads `path` to a devpi-server index through its legacy upload API, as twine would. */
async function devpiUpload(indexUrl: string, auth: string, path: string, name: string, version: string, filetype: 'bdist_wheel' | 'sdist'): Promise<void> {
  const bytes = readFileSync(path);
  const form = new FormData();
  const fields = { ':action': 'file_upload', protocol_version: '1', name, version, metadata_version: '2.1', filetype, pyversion: filetype === 'sdist' ? 'source' : 'py3', sha256_digest: sha256(bytes) };
  Object.entries(fields).forEach(([key, value]) => form.append(key, value));
  form.append('content', new Blob([bytes]), path.split('/').pop());
  const response = await fetch(indexUrl, { method: 'POST', body: form, headers: { authorization: auth } });
  assert.equal(response.status, 200, await response.text());
}

describe('quiver import from pypiserver, devpi-server and another Quiver', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-import-'));
  const peers = (): string => requireEnv('QUIVER_TEST_PEERS_BIN');
  const packages = join(work, 'packages');
  let target: EmbeddedRegistry;
  /** Empty until another Quiver (`target`) is imported into it. */
  let second: EmbeddedRegistry;
  let pypiserver: Started;
  let pypiserverBase = '';
  let devpi: Started;
  let devpiIndex = '';
  const devpiAuth = `Basic ${Buffer.from('root:devpi-secret').toString('base64')}`;
  /** Files put into the package directory: filename → sha256. */
  const directory = new Map<string, string>();
  /** Files put into devpi: filename → sha256. */
  const devpiFiles = new Map<string, string>();
  const OLD = new Date('2021-03-04T05:06:07Z');

  const quiver = (registry: EmbeddedRegistry, args: readonly string[], input?: string): Promise<Ran> =>
    execute(bin, args, { QUIVER_URL: registry.base, QUIVER_TOKEN: registry.token }, root, input);
  const summary = (ran: Ran): Summary => {
    assert.ok(ran.stdout.trim().startsWith('{'), show(ran));
    return JSON.parse(ran.stdout) as Summary;
  };

  /** pip installs `requirements` (with their hashes) from `registry` with `--require-hashes`. */
  const pipInstall = async (registry: EmbeddedRegistry, requirements: readonly string[], name: string): Promise<void> => {
    const file = join(work, `${name}.txt`);
    writeFileSync(file, `${requirements.join('\n')}\n`);
    const index = `${registry.base.replace('http://', `http://__token__:${registry.token}@`)}/simple/`;
    const ran = await runPython('pip', ['install', '--no-deps', '--require-hashes', '-r', file, '--index-url', index, '--target', join(work, `site-${name}`)], { cwd: work });
    assert.equal(ran.code, 0, ran.output);
  };

  before(async () => {
    // The package directory: wheels and an sdist (one built by poetry), one in a subdirectory, and a file that is neither.
    mkdirSync(join(packages, 'sub'), { recursive: true });
    const built = await buildProject(join(work, 'build'), 'pps-alpha', '1.0', 'import');
    for (const path of [built.wheel, built.sdist]) {
      const name = path.split('/').pop() ?? '';
      copyFileSync(path, join(packages, name));
      directory.set(name, sha256(readFileSync(path)));
    }
    for (const [project, version, dir] of [
      ['pps-alpha', '1.1', 'sub'],
      ['pps-beta', '2.0', ''],
      ['pps-beta', '2.1', ''],
    ] as const) {
      const wheel = buildWheel(project, version);
      writeFileSync(join(packages, dir, wheel.filename), wheel.bytes);
      directory.set(wheel.filename, sha256(wheel.bytes));
    }
    for (const name of directory.keys()) {
      const path = name.startsWith('pps_alpha-1.1') ? join(packages, 'sub', name) : join(packages, name);
      utimesSync(path, OLD, OLD);
    }
    writeFileSync(join(packages, 'README.txt'), 'not a distribution\n');

    [target, second] = await Promise.all([startEmbedded(join(work, 'target')), startEmbedded(join(work, 'second'))]);

    const pPort = await freePort();
    pypiserverBase = `http://127.0.0.1:${pPort}`;
    pypiserver = startProcess(join(peers(), 'pypi-server'), ['run', '-p', String(pPort), '-i', '127.0.0.1', '-a', '.', '-P', '.', packages], {}, work);
    await waitForHttp(`${pypiserverBase}/simple/`, pypiserver);

    const devpiDir = join(work, 'devpi');
    const init = await execute(join(peers(), 'devpi-init'), ['--serverdir', devpiDir, '--root-passwd', 'devpi-secret', '--no-root-pypi'], {}, work);
    assert.equal(init.code, 0, show(init));
    const dPort = await freePort();
    devpi = startProcess(join(peers(), 'devpi-server'), ['--serverdir', devpiDir, '--host', '127.0.0.1', '--port', String(dPort)], {}, work);
    await waitForHttp(`http://127.0.0.1:${dPort}/+api`, devpi);
    const created = await fetch(`http://127.0.0.1:${dPort}/root/prod`, {
      method: 'PUT',
      headers: { authorization: devpiAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'stage', bases: [], volatile: true }),
    });
    assert.ok(created.status === 200 || created.status === 201, await created.text());
    devpiIndex = `http://127.0.0.1:${dPort}/root/prod/`;
    const devpiCorpus = [
      ...Array.from({ length: 16 }, (_, index) => [`dvp-bulk-${index}`, '1.0'] as const),
      ['dvp-tool', '3.0'] as const,
      ['dvp-tool', '3.1'] as const,
      ['zz-left-behind', '1.0'] as const,
    ];
    for (const [project, version] of devpiCorpus) {
      const wheel = buildWheel(project, version);
      const path = join(work, wheel.filename);
      writeFileSync(path, wheel.bytes);
      await devpiUpload(devpiIndex, devpiAuth, path, project, version, 'bdist_wheel');
      devpiFiles.set(wheel.filename, sha256(wheel.bytes));
    }
  });

  after(async () => {
    const codes = await Promise.all([target?.stop(), second?.stop(), pypiserver && stopProcess(pypiserver), devpi && stopProcess(devpi)]);
    rmSync(work, { recursive: true, force: true });
    assert.equal(codes[0], 0, target?.started.output());
    assert.equal(codes[1], 0, second?.started.output());
  });

  it('moves a pypiserver directory: every wheel and sdist, upload times from the files, and pip installs each project with the hashes pypiserver advertises', async () => {
    const ran = await quiver(target, ['import', packages, '--json']);
    assert.equal(ran.code, 0, show(ran));
    const result = summary(ran);
    assert.deepEqual([result.files, result.copied, result.present, result.failed, result.skipped], [directory.size, directory.size, 0, [], ['README.txt']]);
    assert.match(ran.stderr, /^copied pps_beta-2\.1-py3-none-any\.whl \(\d\/5\)$/m, 'a line per file when standard error is not a terminal');

    const advertised = await htmlHashes(pypiserverBase, ['pps-alpha', 'pps-beta']);
    assert.deepEqual(new Map([...advertised].sort()), new Map([...directory].sort()), 'pypiserver advertises the files written');
    for (const project of ['pps-alpha', 'pps-beta']) {
      for (const file of await pageFiles(`${target.base}/simple/${project}/`, target.auth)) {
        assert.equal(file.hashes['sha256'], advertised.get(file.filename), file.filename);
        assert.equal(file['upload-time'], '2021-03-04T05:06:07.000000Z', `${file.filename}: the file's modification time is its upload time`);
      }
    }
    const hashesOf = (prefix: string): string => [...advertised].filter(([name]) => name.startsWith(prefix)).map(([, hash]) => `--hash=sha256:${hash}`).join(' ');
    await pipInstall(target, [`pps-alpha==1.0 ${hashesOf('pps_alpha-1.0')}`, `pps-beta==2.1 ${hashesOf('pps_beta-2.1')}`], 'from-pypiserver');
  });

  it('copies nothing on a second run from the directory: no new event, every file present', async () => {
    const serial = async (): Promise<string | null> => (await fetch(`${target.base}/simple/pps-beta/`, { headers: { authorization: target.auth } })).headers.get('x-pypi-last-serial');
    const before = await serial();
    const ran = await quiver(target, ['import', packages, '--json']);
    assert.equal(ran.code, 0, show(ran));
    assert.deepEqual([summary(ran).copied, summary(ran).present, summary(ran).resent], [0, directory.size, 0], 'nothing sent again');
    assert.equal(ran.stderr, '', 'no file copied, so no line');
    assert.equal(await serial(), before, 'the registry recorded nothing new');
  });

  it('moves a devpi-server index signed in with a password from standard input, resumes a run killed halfway, and pip installs with devpi\'s hashes', async () => {
    const from = ['import', '--from', `${devpiIndex}+simple/`, '--username', 'root', '--password-stdin', '--projects', 'dvp-*', '--json'];
    const selected = [...devpiFiles.keys()].filter((name) => name.startsWith('dvp_'));

    // A run killed (SIGKILL) once its first file is in: one file at a time, so the rest is still to do.
    // The CLI's own process (the bin may be a wrapper that starts it on another Node).
    const killed = spawn(process.execPath, [join(root, 'apps', 'cli', 'dist', 'main.js'), ...from, '--concurrency', '1'], { cwd: root, env: environment({ QUIVER_URL: target.base, QUIVER_TOKEN: target.token }), stdio: ['pipe', 'pipe', 'pipe'] });
    killed.stdin.end('devpi-secret\n');
    let progress = '';
    await new Promise<void>((resolve, reject) => {
      killed.stderr.on('data', (chunk: Buffer) => {
        progress += chunk.toString();
        if (/^copied /m.test(progress)) {
          killed.kill('SIGKILL');
          resolve();
        }
      });
      killed.on('exit', () => reject(new Error(`the import ended before it was killed:\n${progress}`)));
    });
    await once(killed, 'close');
    const held = async (): Promise<string[]> => {
      const names: string[] = [];
      for (const project of new Set(selected.map((name) => name.split('-')[0]?.replaceAll('_', '-') ?? ''))) {
        names.push(...(await pageFiles(`${target.base}/simple/${project}/`, target.auth)).map((file) => file.filename));
      }
      return names;
    };
    const afterKill = (await held()).length;
    assert.ok(afterKill >= 1 && afterKill < selected.length, `the killed run copied ${afterKill} of ${selected.length}`);

    const resumed = await quiver(target, from, 'devpi-secret\n');
    assert.equal(resumed.code, 0, show(resumed));
    const result = summary(resumed);
    // An upload whose body was sent whole before the kill may still have been committed after the count.
    assert.deepEqual([result.files, result.present + result.copied + result.resent, result.failed], [selected.length, selected.length, []]);
    assert.ok(result.present >= afterKill && result.copied >= 1 && result.resent <= 1, `resumed: ${result.present} present, ${result.copied} copied, ${result.resent} resent`);
    assert.deepEqual((await held()).sort(), [...selected].sort(), 'every selected file, and nothing of zz-left-behind');
    assert.deepEqual(await pageFiles(`${target.base}/simple/zz-left-behind/`, target.auth), []);

    const devpiPage = await pageFiles(`${devpiIndex}+simple/dvp-tool/`, devpiAuth);
    const hashOf = (filename: string): string => devpiPage.find((file) => file.filename === filename)?.hashes['sha256'] ?? 'missing';
    assert.equal(hashOf('dvp_tool-3.1-py3-none-any.whl'), devpiFiles.get('dvp_tool-3.1-py3-none-any.whl'));
    await pipInstall(target, [`dvp-tool==3.1 --hash=sha256:${hashOf('dvp_tool-3.1-py3-none-any.whl')}`, `dvp-bulk-7==1.0 --hash=sha256:${devpiFiles.get('dvp_bulk_7-1.0-py3-none-any.whl') ?? ''}`], 'from-devpi');

    const again = await quiver(target, from, 'devpi-secret\n');
    assert.equal(again.code, 0, show(again));
    assert.deepEqual([summary(again).copied, summary(again).present, summary(again).resent], [0, selected.length, 0]);
  });

  it('keeps upload times and yanks from another Quiver, signed in with a token from standard input', async () => {
    const yank = await quiver(target, ['yank', 'pps-beta', '2.0', '--reason', 'broken build']);
    assert.equal(yank.code, 0, show(yank));
    const ran = await quiver(second, ['import', '--from', `${target.base}/simple/`, '--token-stdin', '--projects', 'pps-*', '--json'], `${target.token}\n`);
    assert.equal(ran.code, 0, show(ran));
    assert.deepEqual([summary(ran).copied, summary(ran).yanked], [directory.size, 1]);
    for (const project of ['pps-alpha', 'pps-beta']) {
      const source = await pageFiles(`${target.base}/simple/${project}/`, target.auth);
      const copied = await pageFiles(`${second.base}/simple/${project}/`, second.auth);
      const view = (files: PageFile[]): unknown[] => files.map((file) => [file.filename, file.hashes['sha256'], file['upload-time'], file.yanked]).sort();
      assert.deepEqual(view(copied), view(source), project);
    }
    const beta = await pageFiles(`${second.base}/simple/pps-beta/`, second.auth);
    assert.deepEqual(beta.map((file) => [file.filename, file.yanked]).sort(), [
      ['pps_beta-2.0-py3-none-any.whl', 'broken build'],
      ['pps_beta-2.1-py3-none-any.whl', false],
    ]);
    const again = await quiver(second, ['import', '--from', `${target.base}/simple/`, '--token-stdin', '--projects', 'pps-*', '--json'], `${target.token}\n`);
    assert.deepEqual([again.code, summary(again).copied, summary(again).yanked], [0, 0, 0]);
    const wrongToken = await quiver(second, ['import', '--from', `${target.base}/simple/`, '--token-stdin', '--json'], 'qvr_not-a-token\n');
    assert.equal(wrongToken.code, 1, show(wrongToken));
    assert.match(wrongToken.stderr, /the source answered 401 for its index page .*: give --username with --password-stdin, or --token-stdin/);
  });

  it('stops at once on Ctrl-C: exit 130, the cursor and the disk left as they were', async () => {
    const scratch = join(work, 'tmp-sigint');
    mkdirSync(scratch);
    const args = ['import', '--from', `${devpiIndex}+simple/`, '--projects', 'dvp-*', '--concurrency', '1'];
    const run = spawn(process.execPath, [join(root, 'apps', 'cli', 'dist', 'main.js'), ...args], {
      cwd: root,
      env: environment({ QUIVER_URL: second.base, QUIVER_TOKEN: second.token, TMPDIR: scratch }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let progress = '';
    run.stderr.on('data', (chunk: Buffer) => {
      const first = !/^copied /m.test(progress);
      progress += chunk.toString();
      if (first && /^copied /m.test(progress)) {
        run.kill('SIGINT'); // once, as one Ctrl-C
      }
    });
    const [code] = (await once(run, 'exit')) as [number | null];
    assert.equal(code, 130, progress);
    assert.match(progress, /quiver: interrupted \(SIGINT\); run the same command again to go on/);
    assert.deepEqual(readdirSync(scratch), [], 'no download left behind');
  });

  it('copies no file whose bytes do not match the hash its source advertises', async () => {
    const wheel = buildWheel('evil-pkg', '1.0');
    const server: Server = createServer((request, response) => {
      const pages: Record<string, string> = {
        '/simple/': '<a href="evil-pkg/">evil-pkg</a>',
        '/simple/evil-pkg/': `<a href="/f/${wheel.filename}#sha256=${'0'.repeat(64)}">${wheel.filename}</a>`,
      };
      const page = pages[request.url ?? ''];
      if (page !== undefined) {
        response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      } else if (request.url === `/f/${wheel.filename}`) {
        response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(wheel.bytes);
      } else {
        response.writeHead(404).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const ran = await quiver(target, ['import', '--from', `http://127.0.0.1:${port}/simple/`, '--json']);
      assert.equal(ran.code, 1, show(ran));
      assert.match(summary(ran).failed[0]?.reason ?? '', /do not match the source's sha256/);
      assert.equal(summary(ran).copied, 0);
      assert.deepEqual(await pageFiles(`${target.base}/simple/evil-pkg/`, target.auth), []);
    } finally {
      server.close();
    }
  });

  it("refuses the import endpoint to a caller that is not an administrator on '*', and an upload time that is not one", async () => {
    await grant(target, 'import-dev', 'developer', '*');
    const issued = await issueToken(target, 'import-dev', 'not an administrator');
    const fresh = join(work, 'fresh');
    mkdirSync(fresh);
    const freshWheel = buildWheel('fresh-pkg', '1.0');
    writeFileSync(join(fresh, freshWheel.filename), freshWheel.bytes);
    const ran = await execute(bin, ['import', fresh, '--json'], { QUIVER_URL: target.base, QUIVER_TOKEN: issued.token });
    assert.equal(ran.code, 1, show(ran));
    assert.match(ran.stderr, /answered 403 to the import: it takes an administrator on '\*'/);
    assert.deepEqual(await pageFiles(`${target.base}/simple/fresh-pkg/`, target.auth), []);

    const wheel = buildWheel('time-pkg', '1.0');
    for (const [uploadTime, status] of [
      ['yesterday', 400],
      ['2999-01-01T00:00:00Z', 400],
      ['2024-05-01T12:00:00Z', 200],
    ] as const) {
      const form = new FormData();
      form.append('upload_time', uploadTime);
      form.append('content', new Blob([wheel.bytes]), wheel.filename);
      const response = await fetch(`${target.base}/api/packages/-/import`, { method: 'POST', body: form, headers: { authorization: target.auth, accept: 'application/json' } });
      const body = (await response.json()) as { code?: string; outcome?: string };
      assert.equal(response.status, status, `${uploadTime}: ${JSON.stringify(body)}`);
      assert.equal(status === 400 ? body.code : body.outcome, status === 400 ? 'invalid-upload-time' : 'published', uploadTime);
    }
    const [file] = await pageFiles(`${target.base}/simple/time-pkg/`, target.auth);
    assert.equal(file?.['upload-time'], '2024-05-01T12:00:00.000000Z');
    const byDeveloper = await fetch(`${target.base}/api/packages/-/import`, { method: 'POST', headers: { authorization: basicToken(issued.token), 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--\r\n' });
    assert.equal(byDeveloper.status, 403);
  });
});
