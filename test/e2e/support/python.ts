import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEnv } from '@quiver/shared-testing';

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a tool from the harness's Python virtualenv with a clean, isolated environment. */
export function runPython(tool: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  const bin = requireEnv('QUIVER_TEST_PYTHON_BIN');
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, tool), args, {
      cwd: options.cwd,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        HOME: options.cwd,
        PIP_CONFIG_FILE: '/dev/null',
        PIP_DISABLE_PIP_VERSION_CHECK: '1',
        PIP_NO_CACHE_DIR: '1',
        UV_NO_CACHE: '1',
        POETRY_NO_INTERACTION: '1',
        POETRY_VIRTUALENVS_CREATE: 'false',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Writes a minimal Poetry-built project and builds its wheel and sdist with `poetry build`. */
export async function buildProject(root: string, name: string, version: string, marker: string): Promise<{ dist: string; wheel: string; sdist: string }> {
  const module = name.toLowerCase().replace(/[-_.]+/g, '_');
  const dir = join(root, `${module}-${version}-${marker}`);
  mkdirSync(join(dir, module), { recursive: true });
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "${name}"\nversion = "${version}"\ndescription = "Quiver end-to-end fixture"\nrequires-python = ">=3.9"\n\n` +
      `[tool.poetry]\npackages = [{ include = "${module}" }]\n\n` +
      `[build-system]\nrequires = ["poetry-core>=2.0"]\nbuild-backend = "poetry.core.masonry.api"\n`,
  );
  writeFileSync(join(dir, module, '__init__.py'), `MARKER = ${JSON.stringify(marker)}\n`);
  writeFileSync(join(dir, 'README.md'), `# ${name}\n`);
  const built = await runPython('poetry', ['build', '--no-ansi'], { cwd: dir });
  if (built.code !== 0) {
    throw new Error(`poetry build failed:\n${built.output}`);
  }
  const dist = join(dir, 'dist');
  return { dist, wheel: join(dist, `${module}-${version}-py3-none-any.whl`), sdist: join(dist, `${module}-${version}.tar.gz`) };
}
