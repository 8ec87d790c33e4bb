/**
 * The Python clients the end-to-end suites drive are the pinned ones from the harness venv
 * (QUIVER_TEST_PYTHON_BIN), not whatever happens to be on PATH; so are the build backends their
 * fixture projects build with, also kept as wheels for isolated builds (QUIVER_TEST_PYTHON_WHEELHOUSE).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireEnv } from '@quiver/shared-testing';
import { readdirSync } from 'node:fs';
import { pythonBuildBackendPins, pythonClientPins } from '../harness/services/python.js';

const run = promisify(execFile);

interface Client {
  readonly pin: keyof typeof pythonClientPins;
  readonly command: string;
  readonly args: readonly string[];
  /** Captures the version the tool reports about itself. */
  readonly version: RegExp;
}

const clients: readonly Client[] = [
  { pin: 'pip', command: 'pip', args: ['--version'], version: /^pip (\S+) from / },
  { pin: 'twine', command: 'twine', args: ['--version'], version: /^twine version (\S+) / },
  { pin: 'uv', command: 'uv', args: ['--version'], version: /^uv (\S+)/ },
  { pin: 'poetry', command: 'poetry', args: ['--version'], version: /^Poetry \(version (\S+)\)/ },
  { pin: 'build', command: 'python', args: ['-m', 'build', '--version'], version: /^build (\S+) / },
  { pin: 'hatch', command: 'hatch', args: ['--version'], version: /^Hatch, version (\S+)$/ },
  { pin: 'flit', command: 'flit', args: ['--version'], version: /^Flit (\S+)$/ },
  { pin: 'pdm', command: 'pdm', args: ['--version'], version: /^PDM, version (\S+)$/ },
];

describe('python clients from the harness venv', () => {
  for (const client of clients) {
    it(`${[client.command, ...client.args].join(' ')} reports the pinned ${client.pin} ${pythonClientPins[client.pin]}`, async () => {
      const bin = requireEnv('QUIVER_TEST_PYTHON_BIN');
      const { stdout } = await run(join(bin, client.command), [...client.args], {
        env: { ...process.env, NO_COLOR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PDM_CHECK_UPDATE: '0' },
        timeout: 60_000,
      });
      const reported = client.version.exec(stdout.trim())?.[1];
      assert.equal(reported, pythonClientPins[client.pin], stdout);
    });
  }

  for (const [backend, version] of Object.entries(pythonBuildBackendPins)) {
    it(`has build backend ${backend} ${version} installed and in the wheelhouse for isolated builds`, async () => {
      const bin = requireEnv('QUIVER_TEST_PYTHON_BIN');
      const { stdout } = await run(join(bin, 'python'), ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(backend)}))`], { timeout: 60_000 });
      assert.equal(stdout.trim(), version);
      const wheel = `${backend.replace(/-/g, '_')}-${version}-`;
      const wheelhouse = readdirSync(requireEnv('QUIVER_TEST_PYTHON_WHEELHOUSE'));
      assert.ok(wheelhouse.some((file) => file.startsWith(wheel) && file.endsWith('.whl')), `${wheel}*.whl in ${wheelhouse.join(', ')}`);
    });
  }
});
