/**
 * The real-service test harness.
 *   test [--only unit|int|e2e] [--project <dir>] [--spec <text>] [--services a,b]
 *                                                  install + start what the suites need, run them, stop everything
 *                                                  (--spec keeps only spec files whose path contains <text>, or one of several comma-separated texts)
 *   up                                             start every service detached and print their addresses
 *   down                                           stop what `up` started (by PID)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessContext } from './context.js';
import { findSpecFiles, type Suite } from './spec-files.js';
import { allServices } from './services/index.js';
import type { ServiceDefinition } from './service.js';
import { startAll, stopAll } from './lifecycle.js';
import { clearState, infraEnvPath, readState, writeState } from './state.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

interface Args {
  readonly command: string;
  readonly only?: Suite;
  readonly project?: string;
  /** Comma-separated service names to start instead of all of them. */
  readonly services?: string;
  /** Keeps only the spec files whose path contains this text (or one of these comma-separated texts). */
  readonly spec?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const [command = 'test', ...rest] = argv;
  const flag = (name: string): string | undefined => {
    const at = rest.indexOf(name);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const only = flag('--only');
  if (only !== undefined && only !== 'unit' && only !== 'int' && only !== 'e2e') {
    throw new Error(`--only takes unit, int or e2e, not '${only}'.`);
  }
  const project = flag('--project');
  const services = flag('--services');
  const spec = flag('--spec');
  return { command, ...(only ? { only } : {}), ...(project ? { project } : {}), ...(services ? { services } : {}), ...(spec ? { spec } : {}) };
}

function selectServices(names: string | undefined): readonly ServiceDefinition[] {
  if (names === undefined) {
    return allServices;
  }
  const wanted = names.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !allServices.some((service) => service.name === name));
  if (unknown.length > 0) {
    throw new Error(`Unknown service(s) ${unknown.join(', ')}; known: ${allServices.map((service) => service.name).join(', ')}.`);
  }
  return allServices.filter((service) => wanted.includes(service.name));
}

function runNodeTest(files: readonly string[], env: Readonly<Record<string, string>>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', ...files],
      { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } },
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function test({ only, project, services, spec }: Args): Promise<number> {
  const suites: readonly Suite[] = only ? [only] : ['unit', 'int', 'e2e'];
  const wanted = spec?.split(',');
  const files = findSpecFiles(repoRoot, suites, project).filter((file) => wanted === undefined || wanted.some((part) => file.includes(part)));
  if (files.length === 0) {
    process.stderr.write(`No ${suites.join('/')} spec files${spec === undefined ? '' : ` matching '${spec}'`} found under dist/: run the build first.\n`);
    return 1;
  }
  const needsServices = suites.some((suite) => suite !== 'unit');
  const runDir = mkdtempSync(join(tmpdir(), 'quiver-test-'));
  const ctx = new HarnessContext(runDir);
  let running: Awaited<ReturnType<typeof startAll>> = [];
  let stopping = false;
  let passed = false;
  const stop = async (): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    await stopAll(ctx, running);
    if (passed) {
      rmSync(runDir, { recursive: true, force: true });
    } else {
      process.stderr.write(`[harness] service logs kept in ${runDir}\n`);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    running = needsServices ? await startAll(ctx, selectServices(services)) : [];
    const env = Object.assign({ QUIVER_TEST_RUN_DIR: runDir }, ...running.map((service) => service.env)) as Record<string, string>;
    const code = await runNodeTest(files, env);
    passed = code === 0;
    return code;
  } finally {
    await stop();
  }
}

const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

async function up({ services }: Args): Promise<number> {
  const previous = readState();
  if (previous) {
    process.stderr.write(`Services from an earlier 'infra:up' are still recorded (run dir ${previous.runDir}); run 'npm run infra:down' first.\n`);
    return 1;
  }
  const runDir = mkdtempSync(join(tmpdir(), 'quiver-infra-'));
  const ctx = new HarnessContext(runDir, true);
  const running = await startAll(ctx, selectServices(services));
  const env = Object.assign({}, ...running.map((service) => service.env)) as Record<string, string>;
  writeState({ runDir, env, pids: running.flatMap((service) => service.pids.map((pid) => ({ service: service.name, pid }))) });
  // The addresses carry per-run credentials: they go to a private file, never to the terminal or a log.
  const envFile = infraEnvPath();
  writeFileSync(envFile, Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}\n`).join(''), { mode: 0o600 });
  process.stdout.write(`Services are up: ${running.map((service) => service.name).join(', ')} (data and logs in ${runDir}).\n`);
  process.stdout.write(`Their addresses and credentials are in ${envFile}; load them with:\n  source ${envFile}\n`);
  return 0;
}

async function down(): Promise<number> {
  const state = readState();
  if (!state) {
    process.stdout.write('Nothing recorded by infra:up is running.\n');
    return 0;
  }
  const ctx = new HarnessContext(state.runDir);
  await stopAll(ctx, [{ name: 'infra', env: {}, pids: state.pids.map((entry) => entry.pid), stop: () => Promise.resolve() }]);
  rmSync(state.runDir, { recursive: true, force: true });
  clearState();
  rmSync(infraEnvPath(), { force: true });
  process.stdout.write(`Stopped ${state.pids.length} processes.\n`);
  return 0;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  switch (args.command) {
    case 'test':
      return test(args);
    case 'up':
      return up(args);
    case 'down':
      return down();
    default:
      process.stderr.write(`Unknown harness command '${args.command}'. Use test, up or down.\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
