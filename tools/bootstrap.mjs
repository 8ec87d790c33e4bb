#!/usr/bin/env node
/**
 * Entry point of every npm script. It runs on whatever Node runs npm (Node 20 on a fresh machine),
 * installs the workspace when package-lock.json changed, then hands over to the project's own
 * Node 24 (the `node` dev dependency) for building, linting, testing and serving.
 *
 *   start              build, then run the embedded registry (all services, one process)
 *   test [harness args] build, lint, then run the suites with the real services (test/harness/cli.ts)
 *   lint               compute the Nx project graph, then ESLint with the boundary matrix
 *   build              compile every project (tsc -b)
 *   infra up|down      start/stop the real services for manual work
 *   serve <service>    run one service (index, upload, auth, audit, embedded)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRuntimeEnv } from './runtime-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node24 = join(root, 'node_modules', 'node', 'bin', 'node');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

function step(label, command, args) {
  const began = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write(`\n${label} failed (${command} ${args.join(' ')}).\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`[quiver] ${label} done in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
}

function ensureInstalled() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.quiver-install');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(node24) && existsSync(marker) && readFileSync(marker, 'utf8') === want) {
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  step('install', npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(marker, want);
}

const build = () => step('build', node24, [bin('typescript', 'bin/tsc'), '-b', 'tsconfig.build.json']);

function lint() {
  // The boundary rule reads Nx's cached project graph and silently skips when there is none.
  step('project graph', node24, [bin('nx', 'dist/bin/nx.js'), 'show', 'projects', '--json']);
  step('lint', node24, [bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '.']);
}

/** Runs a Node 24 process in the foreground, passing signals on, and exits with its code. */
function handOver(args, childEnv = env) {
  const child = spawn(node24, args, { cwd: root, stdio: 'inherit', env: childEnv });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

const [command, ...rest] = process.argv.slice(2);
const harness = join(root, 'test', 'dist', 'harness', 'cli.js');
const services = ['index', 'upload', 'auth', 'audit', 'embedded'];

ensureInstalled();
switch (command) {
  case 'install':
    break;
  case 'build':
    build();
    break;
  case 'lint':
    build();
    lint();
    break;
  case 'start':
    build();
    handOver([join(root, 'apps', 'embedded', 'dist', 'main.js')], withRuntimeEnv(env));
    break;
  case 'serve': {
    const service = rest[0] ?? 'embedded';
    if (!services.includes(service)) {
      process.stderr.write(`serve takes one of ${services.join(', ')}.\n`);
      process.exit(2);
    }
    build();
    handOver([join(root, 'apps', service, 'dist', 'main.js')], withRuntimeEnv(env));
    break;
  }
  case 'test':
    build();
    if (!rest.includes('--only')) {
      lint();
    }
    handOver([harness, 'test', ...rest]);
    break;
  case 'infra':
    build();
    handOver([harness, rest[0] === 'down' ? 'down' : 'up', ...rest.slice(1)]);
    break;
  default:
    process.stderr.write(`Unknown command '${command ?? ''}'. See the comment at the top of tools/bootstrap.mjs.\n`);
    process.exit(2);
}
