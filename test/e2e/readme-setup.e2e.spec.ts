/**
 * The README's client set-up, run as written against the embedded registry: twine with
 * `~/.pypirc` and with `TWINE_*` variables (twine does not read `.netrc`), pip and uv with
 * `~/.netrc`. Each client runs with a home directory of its own holding only that file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { buildProject, runPython } from './support/python.js';

describe("the README's client set-up works as written", () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-readme-'));
  let registry: EmbeddedRegistry;
  let host: string;

  /** A fresh home directory for one client run, with `files` in it. */
  const home = (name: string, files: Record<string, string>): string => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      writeFileSync(join(dir, file), text, { mode: 0o600 });
    }
    return dir;
  };

  before(async () => {
    registry = await startEmbedded(work);
    host = new URL(registry.base).host;
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('twine uploads with ~/.pypirc (twine upload -r quiver)', async () => {
    const built = await buildProject(work, 'readme-pypirc', '1.0', 'pypirc');
    const cwd = home('pypirc', {
      '.pypirc': `[distutils]\nindex-servers = quiver\n\n[quiver]\nrepository = ${registry.base}/legacy/\nusername = __token__\npassword = ${registry.token}\n`,
    });
    const upload = await runPython('twine', ['upload', '--non-interactive', '-r', 'quiver', built.wheel], { cwd });
    assert.equal(upload.code, 0, upload.output);
  });

  it('twine uploads with TWINE_REPOSITORY_URL, TWINE_USERNAME and TWINE_PASSWORD, and not with ~/.netrc alone', async () => {
    const built = await buildProject(work, 'readme-env', '1.0', 'env');
    const withEnv = await runPython('twine', ['upload', '--non-interactive', built.wheel], {
      cwd: home('env', {}),
      env: { TWINE_REPOSITORY_URL: `${registry.base}/legacy/`, TWINE_USERNAME: '__token__', TWINE_PASSWORD: registry.token },
    });
    assert.equal(withEnv.code, 0, withEnv.output);
    const netrcOnly = await runPython('twine', ['upload', '--non-interactive', '--repository-url', `${registry.base}/legacy/`, built.sdist], {
      cwd: home('twine-netrc', { '.netrc': `machine ${host.split(':')[0] ?? ''} login __token__ password ${registry.token}\n` }),
    });
    assert.notEqual(netrcOnly.code, 0, 'what the README no longer claims: twine does not read .netrc');
  });

  it('pip and uv install with ~/.netrc', async () => {
    const netrc = { '.netrc': `machine ${host.split(':')[0] ?? ''} login __token__ password ${registry.token}\n` };
    const pip = await runPython('pip', ['download', '--no-deps', '--index-url', `${registry.base}/simple/`, '-d', join(work, 'pip-dl'), 'readme-env'], { cwd: home('pip', netrc) });
    assert.equal(pip.code, 0, pip.output);
    assert.deepEqual(readdirSync(join(work, 'pip-dl')), ['readme_env-1.0-py3-none-any.whl']);
    const target = join(work, 'uv-site');
    const uv = await runPython('uv', ['pip', 'install', '--no-deps', '--index-url', `${registry.base}/simple/`, '--target', target, 'readme-env'], { cwd: home('uv', netrc) });
    assert.equal(uv.code, 0, uv.output);
    assert.ok(readdirSync(target).includes('readme_env'), 'installed');
  });
});
