/**
 * The Python packaging clients the end-to-end suites drive as users do (pip, twine, uv, build,
 * poetry, hatch, flit, pdm) and the audit stream's example consumer's libraries, in a virtualenv cached under `<cacheDir>/py-<hash>`. The hash covers
 * the pins and the interpreter, so changing either builds a fresh venv next to the old one; a
 * marker file written last tells a complete venv from a half-built one, which is removed.
 *
 * The build backends of the fixture projects are installed too (for builds without isolation) and
 * kept as wheels in `<venv>/wheelhouse`, from which isolated builds install them (`hatch build`'s
 * build environment): after the first run, building needs no network.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, type HarnessContext } from '../context.js';
import type { RunningService, ServiceDefinition } from '../service.js';

/** Exact versions installed into the venv (PyPI names). Bump here; the e2e suite checks them. */
export const pythonClientPins = {
  pip: '26.3',
  twine: '7.0.0',
  uv: '0.13.9',
  build: '1.6.1',
  poetry: '2.5.1',
  hatch: '1.18.2',
  flit: '4.2.0',
  pdm: '2.29.4',
} as const;

/**
 * Build backends of the fixture projects (PyPI names): installed, and downloaded with their
 * dependencies into `<venv>/wheelhouse`. `poetry-core` is the one `poetry` pins, `flit-core` the
 * one `flit` pins: bump them together.
 */
export const pythonBuildBackendPins = {
  'poetry-core': '2.5.0',
  'flit-core': '4.2.0',
  hatchling: '1.33.0',
  'pdm-backend': '2.5.0',
} as const;

/**
 * What the example consumer of the public audit stream needs (docs/stream/consume_audit.py): a
 * Kafka client (confluent-kafka ships librdkafka in its wheel), a JSON Schema validator, and a YAML
 * parser for the AsyncAPI document.
 */
export const pythonStreamConsumerPins = {
  'confluent-kafka': '2.16.1',
  jsonschema: '4.26.0',
  PyYAML: '6.0.3',
} as const;

/**
 * Dependencies held back because their newest release breaks a pinned client: pdm 2.29.4 allows
 * `hishel>=1.4.0` but calls `hishel.SyncSqliteStorage`, which hishel 2.0.0 removed (every `pdm`
 * command fails with an AttributeError).
 */
const pythonDependencyPins = {
  hishel: '1.4.0',
} as const;

/**
 * Other package indexes, run beside Quiver by the import suite (`quiver import` from a pypiserver
 * directory and a devpi-server index), in a venv of their own (`<cacheDir>/peers-<hash>`): their
 * dependencies must not move the clients'.
 */
export const pythonPeerRegistryPins = {
  pypiserver: '2.4.2',
  waitress: '3.0.2',
  'devpi-server': '6.20.3',
} as const;

const pinned = (pins: Readonly<Record<string, string>>): string[] => Object.entries(pins).map(([name, version]) => `${name}==${version}`);
const requirements = (): string[] => [...pinned(pythonClientPins), ...pinned(pythonBuildBackendPins), ...pinned(pythonStreamConsumerPins), ...pinned(pythonDependencyPins)];

/** Where isolated builds find the backends' wheels (`UV_FIND_LINKS`, `PIP_FIND_LINKS`). */
export const wheelhouseDir = (venv: string): string => join(venv, 'wheelhouse');

/** `QUIVER_PYTHON` if set, else `python3` on PATH (pyenv's on these machines), else Debian's. */
function interpreterCandidates(): string[] {
  const chosen = process.env['QUIVER_PYTHON'];
  return chosen ? [chosen] : ['python3', '/usr/bin/python3'];
}

interface Interpreter {
  readonly executable: string;
  readonly version: string;
}

async function findInterpreter(ctx: HarnessContext): Promise<Interpreter> {
  const errors: string[] = [];
  for (const candidate of interpreterCandidates()) {
    try {
      const output = await ctx.run(candidate, ['-c', 'import sys, venv, ensurepip; print(sys.executable); print(sys.version)']);
      const [executable = candidate, version = ''] = output.trim().split('\n');
      return { executable, version };
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`No Python 3 with venv and ensurepip found:\n${errors.join('\n')}`);
}

async function interpreter(ctx: HarnessContext): Promise<Interpreter> {
  try {
    return await findInterpreter(ctx);
  } catch {
    // A fresh Debian has python3 without the venv module's ensurepip (package python3-venv).
    const minor = (await ctx.run('/usr/bin/python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])).trim();
    await ensureDebianPackages(ctx, ['python3-venv'], [`/usr/lib/python${minor}/ensurepip/__init__.py`]);
    return findInterpreter(ctx);
  }
}

/** `<cacheDir>/py-<hash of pins + interpreter>` */
const venvDirFor = (ctx: HarnessContext, python: Interpreter): string =>
  join(ctx.cacheDir, `py-${createHash('sha256').update(JSON.stringify({ requirements: requirements(), python })).digest('hex').slice(0, 16)}`);

export async function pythonVenvDir(ctx: HarnessContext): Promise<string> {
  return venvDirFor(ctx, await interpreter(ctx));
}

/** `<cacheDir>/peers-<hash of pins + interpreter>` */
const peersDirFor = (ctx: HarnessContext, python: Interpreter): string =>
  join(ctx.cacheDir, `peers-${createHash('sha256').update(JSON.stringify({ requirements: pinned(pythonPeerRegistryPins), python })).digest('hex').slice(0, 16)}`);

const markerName = '.quiver-complete';

export const python: ServiceDefinition = {
  name: 'python',

  async install(ctx) {
    const python = await interpreter(ctx);
    await ensureVenv(ctx, python, venvDirFor(ctx, python), requirements(), async (venv, quiet) => {
      await ctx.run(join(venv, 'bin', 'pip'), ['download', ...quiet, '--only-binary', ':all:', '--dest', wheelhouseDir(venv), ...pinned(pythonBuildBackendPins)]);
    });
    await ensureVenv(ctx, python, peersDirFor(ctx, python), pinned(pythonPeerRegistryPins));
  },

  async start(ctx): Promise<RunningService> {
    const venv = await pythonVenvDir(ctx);
    if (!existsSync(join(venv, markerName))) {
      throw new Error(`python: ${venv} is not installed; install() must run first.`);
    }
    const peers = peersDirFor(ctx, await interpreter(ctx));
    if (!existsSync(join(peers, markerName))) {
      throw new Error(`python: ${peers} is not installed; install() must run first.`);
    }
    return {
      name: 'python',
      env: { QUIVER_TEST_PYTHON_BIN: join(venv, 'bin'), QUIVER_TEST_PYTHON_WHEELHOUSE: wheelhouseDir(venv), QUIVER_TEST_PEERS_BIN: join(peers, 'bin') },
      pids: [],
      stop: () => Promise.resolve(),
    };
  },
};

/**
 * A venv at `venv` with exactly `packages` (pip first, at the pinned version), unless the marker
 * written last says it is complete already; `then` adds to it before the marker is written.
 */
async function ensureVenv(
  ctx: HarnessContext,
  python: Interpreter,
  venv: string,
  packages: readonly string[],
  then?: (venv: string, quiet: readonly string[]) => Promise<void>,
): Promise<void> {
  const marker = join(venv, markerName);
  const want = `${packages.join('\n')}\n`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) {
    return;
  }
  rmSync(venv, { recursive: true, force: true });
  ctx.log('python', `creating ${venv} (${packages.join(' ')})`);
  try {
    // ctx.run, not runLogged: on failure the output's tail is in the error, while a log in the
    // run directory would be deleted with it.
    await ctx.run(python.executable, ['-m', 'venv', venv]);
    const pip = join(venv, 'bin', 'pip');
    const quiet = ['--disable-pip-version-check', '--no-input', '--quiet'];
    // pip first, so the pinned pip resolves the rest.
    await ctx.run(pip, ['install', ...quiet, `pip==${pythonClientPins.pip}`]);
    await ctx.run(pip, ['install', ...quiet, ...packages]);
    await then?.(venv, quiet);
    writeFileSync(marker, want);
  } catch (error) {
    rmSync(venv, { recursive: true, force: true });
    throw error;
  }
}
