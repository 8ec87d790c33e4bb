/**
 * hatch, flit and pdm as their users drive them: each builds a project of its own, written with
 * that tool's build backend, and publishes it to Quiver's upload URL with a token. Builds take their
 * backend from the harness venv (no isolation: flit, pdm) or from its wheelhouse (hatch's isolated
 * build environment), and every run points the proxy variables at a closed loopback port: a client
 * that tried to reach the network would fail here, not on a machine without it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEnv } from '@quiver/shared-testing';
import { runPython, type RunResult } from './python.js';

export type PublisherTool = 'hatch' | 'flit' | 'pdm';

export interface PublisherProject {
  readonly tool: PublisherTool;
  /** The project's name as written in pyproject.toml. */
  readonly name: string;
  readonly version: string;
  /** Import name, and the normalised name in the distribution filenames. */
  readonly module: string;
  readonly dir: string;
  /** Where the tool writes the wheel and the sdist. */
  readonly dist: string;
}

const BACKENDS: Record<PublisherTool, string> = {
  hatch: 'requires = ["hatchling"]\nbuild-backend = "hatchling.build"',
  flit: 'requires = ["flit_core>=3.4,<5"]\nbuild-backend = "flit_core.buildapi"',
  pdm: 'requires = ["pdm-backend"]\nbuild-backend = "pdm.backend"',
};

/** Loopback is reached directly; anything else goes to a proxy that refuses every connection. */
const NO_NETWORK: Record<string, string> = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  ALL_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
};

/** Writes `<root>/<module>-<version>-<tool>`: pyproject.toml for the tool's backend and a package whose MARKER names the tool. */
export function writePublisherProject(root: string, tool: PublisherTool, name: string, version: string): PublisherProject {
  const module = name.toLowerCase().replace(/[-_.]+/g, '_');
  const dir = join(root, `${module}-${version}-${tool}`);
  // flit wants the package next to pyproject.toml; hatchling and pdm-backend find it under src/ too.
  const packageDir = tool === 'flit' ? join(dir, module) : join(dir, 'src', module);
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "${name}"\nversion = "${version}"\ndescription = "Quiver end-to-end fixture (${tool})"\nreadme = "README.md"\nrequires-python = ">=3.9"\n\n` +
      `[build-system]\n${BACKENDS[tool]}\n`,
  );
  writeFileSync(join(packageDir, '__init__.py'), `"""Published with ${tool}."""\nMARKER = ${JSON.stringify(tool)}\n`);
  writeFileSync(join(dir, 'README.md'), `# ${name}\n`);
  return { tool, name, version, module, dir, dist: join(dir, 'dist') };
}

/**
 * Builds `project` with its tool and publishes both files to `uploadUrl` (`<registry>/legacy/`)
 * with `token`, the credentials in the tool's environment variables, never on its command line.
 * Resolves with the failing step's result, or the publish step's.
 */
export async function buildAndPublish(project: PublisherProject, uploadUrl: string, token: string): Promise<RunResult> {
  const bin = requireEnv('QUIVER_TEST_PYTHON_BIN');
  // The tools keep data and caches under HOME: outside the project, or its sdist would hold them.
  const home = join(project.dir, '..', `home-${project.tool}-${project.version}`);
  mkdirSync(home, { recursive: true });
  const run = (args: readonly string[], env: Record<string, string>): Promise<RunResult> =>
    runPython(project.tool, args, { cwd: project.dir, env: { HOME: home, ...NO_NETWORK, ...env } });
  switch (project.tool) {
    case 'hatch': {
      // hatch builds in its own environment, installing hatchling with uv: from the wheelhouse only.
      const built = await run(['build'], { UV_OFFLINE: '1', UV_FIND_LINKS: requireEnv('QUIVER_TEST_PYTHON_WHEELHOUSE') });
      return built.code === 0 ? run(['publish', '--no-prompt', '--repo', uploadUrl, '--user', '__token__'], { HATCH_INDEX_AUTH: token }) : built;
    }
    case 'flit':
      // `flit publish` builds both files with flit_core in-process, then uploads them.
      return run(['publish'], { FLIT_INDEX_URL: uploadUrl, FLIT_USERNAME: '__token__', FLIT_PASSWORD: token });
    case 'pdm':
      // `pdm publish` builds first; without isolation it imports pdm-backend from the venv's Python.
      return run(['publish', '--repository', uploadUrl, '--username', '__token__'], {
        PDM_PUBLISH_PASSWORD: token,
        PDM_BUILD_ISOLATION: '0',
        PDM_PYTHON: join(bin, 'python'),
        PDM_CHECK_UPDATE: '0',
      });
  }
}
