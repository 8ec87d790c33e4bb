/**
 * The registry as users drive it, in both ways it runs (one embedded process; every service twice
 * behind an nginx front door on Postgres, Kafka and S3): twine, uv, poetry, hatch, flit and pdm
 * publish; pip and uv install; all with the administrator token over HTTP Basic (`__token__`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDistributed } from './support/distributed.js';
import { freePort, startProcess, stopProcess, waitForHttp } from './support/process.js';
import { buildAndPublish, writePublisherProject, type PublisherTool } from './support/publishers.js';
import { buildProject, runPython } from './support/python.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface Registry {
  readonly base: string;
  readonly token: string;
  /** Everything the registry's processes logged so far. */
  output(): string;
  /** Stops every process; resolves with whether each exited cleanly (code 0). */
  stop(): Promise<boolean>;
}

async function embedded(work: string): Promise<Registry> {
  const dataDir = join(work, 'data');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const registry = startProcess(process.execPath, ['apps/embedded/dist/main.js'], { QUIVER_PORT: String(port), QUIVER_DATA_DIR: dataDir, QUIVER_NEW_PROJECTS_PER_HOUR: '0' }, root);
  await waitForHttp(`${base}/-/index/health`, registry);
  return {
    base,
    token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(),
    output: () => registry.output(),
    stop: async () => (await stopProcess(registry)) === 0,
  };
}

async function distributed(work: string): Promise<Registry> {
  const registry = await startDistributed(root, work);
  return {
    base: registry.base,
    token: registry.token,
    output: () => [...registry.instances.entries()].map(([name, started]) => `--- ${name}\n${started.output()}`).join('\n'),
    stop: () => registry.stop(),
  };
}

for (const [mode, open] of [['embedded', embedded], ['distributed', distributed]] as const) {
describe(`packages through the ${mode} registry with real Python clients`, () => {
  const work = mkdtempSync(join(tmpdir(), `quiver-pkg-${mode}-`));
  let registry: Registry;
  let base: string;
  let token: string;
  let authed: string;
  let beforeUv: Date;

  before(async () => {
    registry = await open(work);
    base = registry.base;
    token = registry.token;
    authed = base.replace('http://', `http://__token__:${token}@`);
  });

  after(async () => {
    const clean = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.ok(clean, registry.output());
  });

  it('keeps the administrator token out of every log', () => {
    assert.match(token, /^qvr_[0-9A-Za-z]{49}$/);
    assert.doesNotMatch(registry.output(), new RegExp(token));
  });

  it('asks unauthenticated readers for Basic credentials (401, not 403)', async () => {
    const response = await fetch(`${base}/simple/`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Basic realm="quiver"');
  });

  it('publishes with twine and installs with pip, in one round (read-your-writes)', async () => {
    const built = await buildProject(work, 'Acme.Widget_Tools', '1.0.0', 'twine');
    const upload = await runPython('twine', ['upload', '--non-interactive', '--repository-url', `${base}/legacy/`, built.wheel, built.sdist], {
      cwd: work,
      env: { TWINE_USERNAME: '__token__', TWINE_PASSWORD: token },
    });
    assert.equal(upload.code, 0, upload.output);
    const target = join(work, 'site-pip');
    const install = await runPython('pip', ['install', '--index-url', `${authed}/simple/`, '--target', target, 'acme-widget-tools==1.0.0'], { cwd: work });
    assert.equal(install.code, 0, install.output);
    assert.match(readFileSync(join(target, 'acme_widget_tools', '__init__.py'), 'utf8'), /MARKER = "twine"/);
  });

  it('treats a re-run of the same twine upload as success with nothing changed', async () => {
    const before = await (await fetch(`${base}/simple/acme-widget-tools/`, { headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`, accept: 'application/vnd.pypi.simple.v1+json' } })).json();
    const built = join(work, 'acme_widget_tools-1.0.0-twine', 'dist');
    const again = await runPython('twine', ['upload', '--non-interactive', '--repository-url', `${base}/legacy/`, join(built, 'acme_widget_tools-1.0.0-py3-none-any.whl')], {
      cwd: work,
      env: { TWINE_USERNAME: '__token__', TWINE_PASSWORD: token },
    });
    assert.equal(again.code, 0, again.output);
    const after = await (await fetch(`${base}/simple/acme-widget-tools/`, { headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`, accept: 'application/vnd.pypi.simple.v1+json' } })).json();
    assert.deepEqual(after, before);
  });

  it('refuses other bytes under an existing filename with 409 File already exists', async () => {
    const other = await buildProject(work, 'Acme.Widget_Tools', '1.0.0', 'other');
    const upload = await runPython('twine', ['upload', '--non-interactive', '--repository-url', `${base}/legacy/`, other.wheel], {
      cwd: work,
      env: { TWINE_USERNAME: '__token__', TWINE_PASSWORD: token },
    });
    assert.notEqual(upload.code, 0);
    assert.match(upload.output, /409/);
    assert.match(upload.output, /File already exists/);
    // twine wraps the message to the terminal's width: compare it with the line breaks folded.
    assert.match(upload.output.replace(/\s+/g, ' '), /See docs\/publishing\.md#file-name-reuse in Quiver's documentation/, "Quiver's own docs, not a public index's");
  });

  it('publishes with uv and installs with uv and pip download --require-hashes', async () => {
    beforeUv = new Date();
    const built = await buildProject(work, 'Acme.Widget_Tools', '1.1.0', 'uv');
    const publish = await runPython('uv', ['publish', '--publish-url', `${base}/legacy/`, '--token', token, built.wheel, built.sdist], { cwd: work });
    assert.equal(publish.code, 0, publish.output);
    const target = join(work, 'site-uv');
    const install = await runPython('uv', ['pip', 'install', '--index-url', `${authed}/simple/`, '--target', target, 'acme-widget-tools==1.1.0'], { cwd: work });
    assert.equal(install.code, 0, install.output);
    assert.match(readFileSync(join(target, 'acme_widget_tools', '__init__.py'), 'utf8'), /MARKER = "uv"/);

    const page = (await (await fetch(`${base}/simple/acme-widget-tools/`, {
      headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`, accept: 'application/vnd.pypi.simple.v1+json' },
    })).json()) as { versions: string[]; files: { filename: string; hashes: { sha256: string }; size: number; 'upload-time': string; 'core-metadata': unknown }[] };
    assert.deepEqual(page.versions, ['1.0.0', '1.1.0']);
    const wheel = page.files.find((file) => file.filename === 'acme_widget_tools-1.1.0-py3-none-any.whl');
    assert.ok(wheel);
    assert.ok(wheel.size > 0);
    assert.match(wheel['upload-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(typeof wheel['core-metadata'] === 'object');
    const requirements = join(work, 'requirements.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(requirements, `acme-widget-tools==1.1.0 --hash=sha256:${wheel.hashes.sha256}\n`);
    const download = await runPython('pip', ['download', '--no-deps', '--only-binary', ':all:', '--require-hashes', '-r', requirements, '--index-url', `${authed}/simple/`, '-d', join(work, 'dl')], { cwd: work });
    assert.equal(download.code, 0, download.output);
    assert.ok(existsSync(join(work, 'dl', 'acme_widget_tools-1.1.0-py3-none-any.whl')));
  });

  it('publishes with poetry publish', async () => {
    const built = await buildProject(work, 'Acme.Widget_Tools', '1.2.0', 'poetry');
    const dir = join(built.dist, '..');
    const configure = await runPython('poetry', ['config', 'repositories.quiver', `${base}/legacy/`], { cwd: dir });
    assert.equal(configure.code, 0, configure.output);
    const publish = await runPython('poetry', ['publish', '-r', 'quiver', '-u', '__token__', '-p', token], { cwd: dir });
    assert.equal(publish.code, 0, publish.output);
    const target = join(work, 'site-poetry');
    const install = await runPython('pip', ['install', '--index-url', `${authed}/simple/`, '--target', target, 'acme-widget-tools'], { cwd: work });
    assert.equal(install.code, 0, install.output);
    assert.match(readFileSync(join(target, 'acme_widget_tools', '__init__.py'), 'utf8'), /MARKER = "poetry"/);
  });

  // Each builds and publishes a project of its own (flit's sdist comes without pyversion).
  const publishers: readonly (readonly [PublisherTool, string])[] = [
    ['hatch', 'Acme.Hatch_Tools'],
    ['flit', 'acme-flit-tools'],
    ['pdm', 'Acme_PDM.Tools'],
  ];
  for (const [tool, name] of publishers) {
    it(`builds with ${tool}, publishes with ${tool} publish, and installs with pip`, async () => {
      const project = writePublisherProject(work, tool, name, '1.0.0');
      const published = await buildAndPublish(project, `${base}/legacy/`, token);
      assert.equal(published.code, 0, published.output);
      const built = readdirSync(project.dist).sort();
      assert.deepEqual(built, [`${project.module}-1.0.0-py3-none-any.whl`, `${project.module}-1.0.0.tar.gz`]);

      const normalized = name.toLowerCase().replace(/[-_.]+/g, '-');
      const json = (await (await fetch(`${base}/pypi/${normalized}/json`, { headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` } })).json()) as {
        urls: { filename: string; packagetype: string; digests: { sha256: string } }[];
      };
      const sha256 = (file: string): string => createHash('sha256').update(readFileSync(join(project.dist, file))).digest('hex');
      assert.deepEqual(
        json.urls.map((file) => [file.filename, file.packagetype, file.digests.sha256]).sort(),
        built.map((file) => [file, file.endsWith('.whl') ? 'bdist_wheel' : 'sdist', sha256(file)]),
        'both files, byte for byte',
      );

      const target = join(work, `site-${tool}`);
      const install = await runPython('pip', ['install', '--index-url', `${authed}/simple/`, '--target', target, `${name}==1.0.0`], { cwd: work });
      assert.equal(install.code, 0, install.output);
      assert.match(readFileSync(join(target, project.module, '__init__.py'), 'utf8'), new RegExp(`MARKER = "${tool}"`));
    });
  }

  it("filters by upload time with pip's --uploaded-prior-to", async () => {
    const download = await runPython(
      'pip',
      ['download', '--no-deps', '--uploaded-prior-to', beforeUv.toISOString(), '--index-url', `${authed}/simple/`, '-d', join(work, 'prior'), 'acme-widget-tools'],
      { cwd: work },
    );
    assert.equal(download.code, 0, download.output);
    assert.ok(existsSync(join(work, 'prior', 'acme_widget_tools-1.0.0-py3-none-any.whl')), download.output);
  });

  it('skips a release yanked with the quiver CLI unless it is pinned (PEP 592)', async () => {
    const cli = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const started = startProcess(process.execPath, ['apps/cli/dist/main.js', 'yank', 'Acme.Widget_Tools', '1.2.0', '--reason', 'broken build'], { QUIVER_URL: base, QUIVER_TOKEN: token }, root);
      started.child.on('exit', (code) => resolve({ code, output: started.output() }));
    });
    assert.equal(cli.code, 0, cli.output);
    const latest = join(work, 'site-latest');
    assert.equal((await runPython('pip', ['install', '--index-url', `${authed}/simple/`, '--target', latest, 'acme-widget-tools'], { cwd: work })).code, 0);
    assert.match(readFileSync(join(latest, 'acme_widget_tools', '__init__.py'), 'utf8'), /MARKER = "uv"/, 'the yanked 1.2.0 is skipped');
    const pinned = join(work, 'site-pinned');
    assert.equal((await runPython('pip', ['install', '--index-url', `${authed}/simple/`, '--target', pinned, 'acme-widget-tools==1.2.0'], { cwd: work })).code, 0);
    assert.match(readFileSync(join(pinned, 'acme_widget_tools', '__init__.py'), 'utf8'), /MARKER = "poetry"/, 'a pin still gets it');
    const page = await fetch(`${base}/simple/acme-widget-tools/`, { headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` } });
    assert.match(await page.text(), /data-yanked="broken build"/);
  });

  it('installs into a Poetry project that uses the registry as its source', async () => {
    const project = join(work, 'consumer');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'pyproject.toml'),
      `[project]\nname = "consumer"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["acme-widget-tools==1.1.0"]\n\n` +
        `[tool.poetry]\npackage-mode = false\n\n[[tool.poetry.source]]\nname = "quiver"\nurl = "${base}/simple/"\npriority = "primary"\n`,
    );
    const env = {
      POETRY_VIRTUALENVS_CREATE: 'true',
      POETRY_VIRTUALENVS_IN_PROJECT: 'true',
      POETRY_HTTP_BASIC_QUIVER_USERNAME: '__token__',
      POETRY_HTTP_BASIC_QUIVER_PASSWORD: token,
      PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    };
    const install = await runPython('poetry', ['install', '--no-ansi'], { cwd: project, env });
    assert.equal(install.code, 0, install.output);
    const lock = readFileSync(join(project, 'poetry.lock'), 'utf8');
    assert.match(lock, /name = "acme-widget-tools"\nversion = "1\.1\.0"/);
    assert.doesNotMatch(lock, new RegExp(token), 'the token stays out of the lock file');
    const site = await runPython('poetry', ['run', 'python', '-c', 'import acme_widget_tools; print(acme_widget_tools.MARKER)'], { cwd: project, env });
    assert.equal(site.output.trim().split('\n').at(-1), 'uv', site.output);
  });
});
}
