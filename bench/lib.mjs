/**
 * Shared pieces of the benchmarks: processes we start (and stop by PID), the wheel corpus, loading
 * it through an upload API, load-generator runs (load.mjs), and the real services from the test harness.
 * Everything listens on 127.0.0.1.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, constants, homedir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildWheel } from '@quiver/shared-testing';
import { withRuntimeEnv } from '../tools/runtime-env.mjs';

export const root = join(import.meta.dirname, '..');

export const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) {
    return fallback;
  }
  const value = process.argv[at + 1];
  return typeof fallback === 'number' ? Number(value) : value;
};

export const log = (message) => process.stderr.write(`[bench] ${message}\n`);

export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const children = new Set();
/** Load generators running now (`runLoad`): stopped with the rest, never paused by `alone`. */
const loads = new Set();

/**
 * On a machine of two or more cores, the server being measured (`alone`) runs on CPU 0 and the
 * benchmark (the load generator, and the pip it runs) on the others, so the scheduler cannot put a
 * server and its client on one core for part of a measurement. Servers load on every core: pinned
 * for the whole run, devpi-server (loading beside three Quiver instances on one core) waited out
 * its 60 s database-lock timeout. The distributed stack (harness services and Quiver's replicas) is
 * not pinned. `--no-pin` turns pinning off.
 */
const cores = availableParallelism(); // before pinning: afterwards it counts only the cores left to us
const allCpus = `0-${cores - 1}`;
const serverCpus = (() => {
  if (process.argv.includes('--no-pin') || cores < 2) {
    return undefined;
  }
  pinSelf(`1-${cores - 1}`);
  return '0';
})();

function pinSelf(cpus) {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** Pins a process, every thread of it and every process below it (nginx's workers) to `cpus`. */
function pinTree(pid, cpus) {
  const below = (at) => {
    let kids = [];
    try {
      for (const task of readdirSync(`/proc/${at}/task`)) {
        kids = kids.concat(readFileSync(`/proc/${at}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
      }
    } catch {
      // gone meanwhile
    }
    return [at, ...kids.flatMap(below)];
  };
  for (const each of below(pid)) {
    spawnSync('taskset', ['-a', '-p', '-c', cpus, String(each)], { stdio: 'ignore' });
  }
}

/** Starts a process whose PID we own; its output is kept for error messages. */
export function start(command, args, env = {}, options = {}) {
  if (serverCpus !== undefined) {
    // Children inherit the benchmark's own CPUs; a server loads on every core.
    [command, args] = ['taskset', ['-c', allCpus, command, ...args]];
  }
  const child = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, pid: child.pid, output: () => output };
}

export async function stop(started, timeoutMs = 20_000) {
  if (started.child.exitCode !== null || started.child.signalCode !== null) {
    return;
  }
  const exited = once(started.child, 'exit');
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Stops that are not a single child process (Quiver distributed and its services). */
const cleanups = new Set();

/** Directories this run made (`scratchDir`): corpora, data dirs, devpi's in-memory server dir. */
const scratch = new Set();

/** A new directory below `parent`, reachable by the harness's postgres user, removed by `stopAll`. */
export function scratchDir(parent, prefix) {
  const dir = mkdtempSync(join(parent, prefix));
  chmodSync(dir, 0o711);
  scratch.add(dir);
  return dir;
}

/** Stops every process this run started that is still alive, then removes its scratch directories. */
export async function stopAll() {
  await Promise.all([...cleanups].map((cleanup) => cleanup().catch(() => undefined)));
  await Promise.all([...children, ...loads].map((child) => stop({ child })));
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
}

// Interrupted (Ctrl-C, or a CI timeout's SIGTERM): stop what we started and remove what we wrote.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping every process this run started`);
    void stopAll().finally(() => process.exit(128 + constants.signals[signal]));
  });
}

export async function waitFor(url, started, headers = {}, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started && started.child.exitCode !== null) {
      throw new Error(`process exited before ${url} answered:\n${started.output()}`);
    }
    const status = await fetch(url, { headers }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status > 0 && status < 500) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered${started ? `:\n${started.output()}` : ''}`);
}

export const projectName = (i) => `bench-${i}`;
export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
export const basic = (user, password) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** `projects` × `files` valid wheels, written to `dir` (pypiserver serves that directory). */
export function buildCorpus(dir, projects, files) {
  mkdirSync(dir, { recursive: true });
  const corpus = [];
  for (let p = 0; p < projects; p += 1) {
    for (let f = 1; f <= files; f += 1) {
      const wheel = buildWheel(projectName(p), `1.0.${f}`);
      writeFileSync(join(dir, wheel.filename), wheel.bytes);
      corpus.push({ project: projectName(p), version: `1.0.${f}`, filename: wheel.filename, bytes: wheel.bytes, sha256: sha256(wheel.bytes) });
    }
  }
  return corpus;
}

/**
 * Uploads the corpus the way twine does (legacy API), `concurrency` at a time; any non-200 aborts,
 * except that a peer's 5xx may be retried (`retries` per file, each one reported to `onRetry`):
 * Quiver's loads never retry.
 */
export async function uploadCorpus(target, headers, corpus, concurrency = 8, { retries = 0, onRetry = () => undefined } = {}) {
  const began = Date.now();
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < corpus.length; at = next++) {
      const item = corpus[at];
      for (let attempt = 0; ; attempt += 1) {
        const status = await uploadOne(target, headers, item, attempt < retries);
        if (status === 200) {
          break;
        }
        onRetry(item, status);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (Date.now() - began) / 1000;
}

async function uploadOne(target, headers, item, mayRetry) {
  const form = new FormData();
  const fields = { ':action': 'file_upload', protocol_version: '1', name: item.project, version: item.version, metadata_version: '2.1', filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: item.sha256 };
  for (const [k, v] of Object.entries(fields)) {
    form.append(k, v);
  }
  form.append('content', new Blob([item.bytes]), item.filename);
  const r = await fetch(target, { method: 'POST', body: form, headers }).catch((error) => {
    throw new Error(`upload ${item.filename} to ${target}: ${error.message} (${error.cause?.code ?? error.cause?.message ?? 'no cause'})`, { cause: error });
  });
  const text = await r.text();
  if (r.status !== 200 && !(mayRetry && r.status >= 500)) {
    throw new Error(`upload ${item.filename} to ${target}: ${r.status} ${text}`);
  }
  return r.status;
}

/**
 * Runs `measure` with every other process this benchmark started paused (SIGSTOP, then SIGCONT):
 * an idle server still runs timers and an idle-time garbage collection, on the same core as the
 * server being measured. The measured server is pinned to CPU 0 meanwhile. Without `pid` (the
 * distributed stack) nothing is paused or pinned.
 */
export async function alone(pid, measure) {
  const paused = pid === undefined ? [] : [...children].filter((child) => child.pid !== pid && child.exitCode === null && child.signalCode === null);
  paused.forEach((child) => child.kill('SIGSTOP'));
  const pinned = pid !== undefined && serverCpus !== undefined;
  if (pinned) {
    pinTree(pid, serverCpus);
  }
  try {
    return await measure();
  } finally {
    if (pinned) {
      pinTree(pid, allCpus);
    }
    paused.forEach((child) => child.kill('SIGCONT'));
  }
}

/**
 * Random project pages (`path`, `%s` standing for the project's name) at `connections` for
 * `seconds`, after a discarded warm-up (JIT, caches); with `everyPage`, first every page once, timed
 * (a cache's cold pass). Each load runs in a fresh process (`load.mjs`) on the benchmark's cores.
 * With `precise`, `latency` holds the measured load's p50/p99/p99.9 in microseconds (autocannon's
 * own are whole milliseconds). With `paths`, each request is one of those paths at random (files).
 * `answered` counts the 2xx responses of every load, the warm-up's too (what the server logged).
 */
export async function measurePages(label, base, headers, projects, { connections, seconds, warmup = 3, everyPage = false, path = '/simple/%s/', paths, precise = false }) {
  const load = (options) => runLoad({ url: base, connections, headers, projects, path: path.replace('%s', projectName('%d')), ...(paths ? { paths } : {}), ...options });
  let coldPass;
  if (everyPage) {
    // Steady state for a cache of rendered pages: every page once (timed, reported), then the warm-up.
    const pass = await load({ amount: projects });
    coldPass = { seconds: pass.seconds, errors: pass.errors + pass.non2xx + pass.timeouts };
  }
  const twoHundreds = (run) => Object.entries(run.statusCodeStats ?? {}).reduce((sum, [code, { count }]) => (code.startsWith('2') ? sum + count : sum), 0);
  let answered = 0;
  if (warmup > 0) {
    answered += twoHundreds(await load({ duration: warmup }));
  }
  const result = await load({ duration: seconds, precise });
  answered += twoHundreds(result);
  const errors = result.errors + result.non2xx + result.timeouts;
  log(`${label}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms; non-2xx ${result.non2xx}, timeouts ${result.timeouts}, socket errors ${result.errors - result.timeouts}${result.errors > 0 ? ` ${JSON.stringify(result.errorCodes)}` : ''}; status codes ${JSON.stringify(result.statusCodeStats)}`);
  return { label, rps: Math.round(result.rps), p50: result.p50, p99: result.p99, errors, total: result.total, answered, projects, coldPass, statusCodeStats: result.statusCodeStats, errorCodes: result.errorCodes, latency: result.latency };
}

/**
 * Paired latencies: one load of random project pages at `connections` for `seconds` (after a
 * discarded warm-up), each request one of `variants` (`{ label, headers, path? }`, `path` with `%s`
 * for the project as in `measurePages`) chosen at random, so every variant meets the same machine
 * and the same queue. Returns the whole load's rate and, per variant, its count, non-2xx count and
 * p50/p99/p99.9 in microseconds. Run it `alone`.
 */
export async function measureMixed(label, base, variants, projects, { connections, seconds, warmup = 3 }) {
  const kinds = variants.map((variant) => ({ headers: variant.headers, ...(variant.path ? { path: variant.path.replace('%s', projectName('%d')) } : {}) }));
  const load = (options) => runLoad({ url: base, connections, headers: {}, projects, path: `/simple/${projectName('%d')}/`, variants: kinds, ...options });
  if (warmup > 0) {
    await load({ duration: warmup });
  }
  const result = await load({ duration: seconds });
  log(`${label}: ${Math.round(result.rps)} req/s in all; ${variants.map((variant, i) => `${variant.label} p99 ${result.variants[i].latency.p99} µs`).join('; ')}; status codes ${JSON.stringify(result.statusCodeStats)}`);
  return {
    label,
    rps: Math.round(result.rps),
    errors: result.errors + result.non2xx + result.timeouts,
    variants: variants.map((variant, i) => ({ ...variant, ...result.variants[i] })),
  };
}

/** Runs bench/load.mjs once and returns its result; it inherits the benchmark's CPUs (the client cores). */
async function runLoad(options) {
  const child = spawn(process.execPath, [join(root, 'bench', 'load.mjs')], { env: { ...process.env, QUIVER_BENCH_LOAD: JSON.stringify(options) }, stdio: ['ignore', 'pipe', 'pipe'] });
  loads.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err = (err + chunk).slice(-4_000)));
  const [code, signal] = await once(child, 'exit');
  loads.delete(child);
  if (code !== 0) {
    throw new Error(`the load generator (bench/load.mjs) ended with ${code ?? signal}:\n${err}`);
  }
  return JSON.parse(out);
}

/**
 * Instances compared with each other (the scale point), each `alone`: each gets its pass over
 * every page and a warm-up, then they are measured in turn for `rounds` rounds of `seconds / rounds` each, so drift
 * on the machine falls on all of them alike. Per instance: mean req/s over its rounds, the median
 * round's p50, the worst round's p99, and every round's req/s.
 */
export async function measureAlternating(targets, { connections, seconds, rounds = 3 }) {
  const results = targets.map(() => []);
  const cold = [];
  for (const target of targets) {
    cold.push(await alone(target.pid, () => measurePages(`${target.label} (pass over every page and warm-up)`, target.base, target.headers, target.projects, { connections, seconds: 1, everyPage: true })));
  }
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, target] of targets.entries()) {
      results[i].push(await alone(target.pid, () => measurePages(`${target.label}, round ${round + 1}`, target.base, target.headers, target.projects, { connections, seconds: Math.max(1, Math.round(seconds / rounds)), warmup: 0 })));
    }
  }
  return targets.map((target, i) => {
    const runs = results[i];
    const sorted = (values) => [...values].sort((a, b) => a - b);
    return {
      label: target.label,
      projects: target.projects,
      rps: Math.round(runs.reduce((sum, run) => sum + run.rps, 0) / runs.length),
      p50: sorted(runs.map((run) => run.p50))[Math.floor(runs.length / 2)],
      p99: Math.max(...runs.map((run) => run.p99)),
      errors: runs.reduce((sum, run) => sum + run.errors, 0) + cold[i].coldPass.errors,
      rounds: runs.map((run) => run.rps),
      coldPass: cold[i].coldPass,
    };
  });
}

/** Peak and current resident set size of a process, in bytes (Linux). */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kib('VmHWM'), current: kib('VmRSS') };
}

/**
 * Quiver embedded (one process), with its data in `dataDir` and its upload temp directory beside it:
 * the default (`<tmp>/quiver-uploads`) is shared by every instance on the machine, and an instance
 * that sweeps it at start would take another's uploads in flight.
 */
export async function startQuiverEmbedded(dataDir, env = {}, checkout = root) {
  const port = await freePort();
  const uploadTemp = `${dataDir}-upload-tmp`;
  mkdirSync(uploadTemp, { recursive: true, mode: 0o700 });
  const started = start(process.execPath, [join(checkout, 'apps/embedded/dist/main.js')], withRuntimeEnv({
    QUIVER_PORT: String(port),
    QUIVER_DATA_DIR: dataDir,
    QUIVER_TEMP_DIR: uploadTemp,
    QUIVER_LOG_LEVEL: 'warn',
    QUIVER_NEW_PROJECTS_PER_HOUR: '0',
    ...env,
  }));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/-/index/health`, started);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return { base, token, pid: started.pid, auth: basic('__token__', token), output: started.output, stop: () => stop(started) };
}

/**
 * Real Postgres, Kafka and S3 from the test harness (run `npm run build` first), then Quiver
 * distributed on them: every service twice behind nginx routing paths like the Ingress.
 */
export async function startQuiverDistributed(work, env = {}) {
  const { HarnessContext } = await import('../test/dist/harness/context.js');
  mkdirSync(work, { recursive: true });
  chmodSync(work, 0o711); // the postgres user must reach its data directory below
  const ctx = new HarnessContext(join(work, 'services'));
  // Processes inherit the benchmark's own CPU: the distributed stack gets every core instead.
  if (serverCpus !== undefined) {
    pinSelf(allCpus);
  }
  try {
    return await startDistributedStack(ctx, work, env);
  } finally {
    if (serverCpus !== undefined) {
      pinSelf(`1-${cores - 1}`);
    }
  }
}

async function startDistributedStack(ctx, work, env) {
  const { postgres } = await import('../test/dist/harness/services/postgres.js');
  const { kafka } = await import('../test/dist/harness/services/kafka.js');
  const { s3 } = await import('../test/dist/harness/services/s3.js');
  const services = await Promise.all([postgres.start(ctx), kafka.start(ctx), s3.start(ctx)]);
  const stopServices = () => Promise.all(services.map((service) => service.stop()));
  try {
    Object.assign(process.env, ...services.map((service) => service.env), { QUIVER_TEST_NGINX_BIN: '/usr/sbin/nginx' });
    const { startDistributed } = await import('../test/dist/e2e/support/distributed.js');
    const registry = await startDistributed(root, work, 2, { QUIVER_NEW_PROJECTS_PER_HOUR: '0', ...env });
    const pids = new Map([...registry.instances.entries()].map(([name, instance]) => [name, instance.child.pid]));
    const stopEverything = async () => {
      cleanups.delete(stopEverything);
      await registry.stop();
      await stopServices();
    };
    cleanups.add(stopEverything);
    // What to show when a step against the stack fails: the front door's error log and each process's last output.
    const diagnostics = () =>
      [
        `front door error log:\n${tail(readFileSync(join(work, 'nginx', 'error.log'), 'utf8'))}`,
        ...[...registry.instances.entries()].map(([name, instance]) => `${name}:\n${tail(instance.output())}`),
      ].join('\n');
    // One process of the stack (`auth-1`, `index-2`, …) stopped as an operator would: SIGTERM, then its exit awaited.
    const { stopProcess } = await import('../test/dist/e2e/support/process.js');
    const stopInstance = async (name) => {
      const instance = registry.instances.get(name);
      if (!instance) {
        throw new Error(`no process ${name} in the distributed stack`);
      }
      return stopProcess(instance);
    };
    return { base: registry.base, token: registry.token, auth: basic('__token__', registry.token), pids, diagnostics, stopInstance, stop: stopEverything };
  } catch (error) {
    await stopServices();
    throw error;
  }
}

/**
 * The test harness's slapd, seeded with its fixture directory (users, passwords, nested groups),
 * stopped by `stopAll`. Returns Quiver's LDAP settings for it (StartTLS against the harness's test
 * CA, as test/e2e/support/directory.ts sets them) and the fixture (users with their passwords).
 */
export async function harnessLdap(work) {
  const { HarnessContext } = await import('../test/dist/harness/context.js');
  const { ldap } = await import('../test/dist/harness/services/ldap.js');
  const ctx = new HarnessContext(join(work, 'ldap-harness'));
  await ldap.install(ctx);
  const service = await ldap.start(ctx);
  const stopLdap = async () => {
    cleanups.delete(stopLdap);
    await service.stop();
  };
  cleanups.add(stopLdap);
  const { env } = service;
  const fixture = JSON.parse(readFileSync(env.QUIVER_TEST_LDAP_FIXTURE, 'utf8'));
  const settings = {
    QUIVER_LDAP_URL: env.QUIVER_TEST_LDAP_URL,
    QUIVER_LDAP_STARTTLS: 'true',
    QUIVER_LDAP_CA_FILE: env.QUIVER_TEST_LDAP_CA_FILE,
    QUIVER_LDAP_BIND_DN: env.QUIVER_TEST_LDAP_BIND_DN,
    QUIVER_LDAP_BIND_PASSWORD: env.QUIVER_TEST_LDAP_BIND_PASSWORD,
    QUIVER_LDAP_USER_BASE_DN: fixture.userBaseDn,
    QUIVER_LDAP_GROUP_BASE_DN: fixture.groupBaseDn,
  };
  return { settings, user: (uid) => fixture.users.find((user) => user.uid === uid), pid: service.pids[0], stop: stopLdap };
}

const tail = (text, lines = 20) => text.trimEnd().split('\n').slice(-lines).join('\n') || '(nothing)';

/** Prints a markdown table. */
export function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
  return lines.join('\n');
}

/** Writes a valid pure-Python wheel of about `bytes` (stored random members), without holding it in memory. */
export function writeBigWheel(path, name, version, bytes) {
  const script = `
import os, sys, zipfile
path, name, version, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
stem = f"{name}-{version}"
names = []
chunk = 64 * 1024 * 1024
with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as wheel:
    left, i = size - 64 * 1024, 0
    while left > 0:
        n = min(chunk, left)
        info = zipfile.ZipInfo(f"{name}/part{i:03d}.bin", date_time=(2026, 1, 1, 0, 0, 0))
        with wheel.open(info, "w") as member:
            for offset in range(0, n, 1024 * 1024):
                member.write(os.urandom(min(1024 * 1024, n - offset)))
        names.append(info.filename)
        left -= n
        i += 1
    for member, text in [("METADATA", f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"), ("WHEEL", "Wheel-Version: 1.0\\nGenerator: quiver-bench\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")]:
        wheel.writestr(f"{stem}.dist-info/{member}", text)
        names.append(f"{stem}.dist-info/{member}")
    wheel.writestr(f"{stem}.dist-info/RECORD", "".join(f"{n},,\\n" for n in names) + f"{stem}.dist-info/RECORD,,\\n")
`;
  execFileSync('python3', ['-c', script, path, name, version, String(bytes)], { stdio: 'inherit' });
}

/** sha256 of a file, streamed. */
export async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk);
  }
  return hash.digest('hex');
}

/**
 * Uploads one (large) file with curl, which streams it from disk, and reports how far each process
 * in `pids` rose above its resident set size of just before: the kernel's peak-RSS mark (VmHWM) is
 * reset first (`5` > /proc/<pid>/clear_refs), so what startup or earlier work peaked at does not hide it.
 */
export async function peakGrowthDuringUpload(target, token, path, fields, pids, workDir) {
  const before = new Map();
  for (const [name, pid] of pids) {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    before.set(name, memoryOf(pid).current);
  }
  const config = join(workDir, 'curl.cfg');
  writeFileSync(
    config,
    [`header = "Authorization: Basic ${Buffer.from(`__token__:${token}`).toString('base64')}"`, ...Object.entries(fields).map(([k, v]) => `form = "${k}=${v}"`), `form = "content=@${path};type=application/octet-stream"`].join('\n'),
    { mode: 0o600 },
  );
  const answer = join(workDir, 'curl.out');
  const status = execFileSync('curl', ['-sS', '-o', answer, '-w', '%{http_code}', '-K', config, target], { encoding: 'utf8' });
  rmSync(config);
  if (status !== '200') {
    throw new Error(`large upload to ${target}: HTTP ${status} ${readFileSync(answer, 'utf8')}`);
  }
  return [...pids].map(([name, pid]) => ({ name, before: before.get(name), after: memoryOf(pid).peak }));
}

/** A throw-away virtualenv under the download cache with `packages` from PyPI; returns its bin directory. */
export function venv(name, packages) {
  const dir = join(process.env.QUIVER_CACHE_DIR ?? join(homedir(), '.cache', 'quiver'), name);
  const marker = join(dir, '.installed');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== packages.join('\n')) {
    execFileSync('python3', ['-m', 'venv', dir]);
    execFileSync(join(dir, 'bin', 'pip'), ['install', '-q', ...packages], { stdio: 'inherit' });
    writeFileSync(marker, packages.join('\n'));
  }
  return join(dir, 'bin');
}

/**
 * devpi-server 6.20.3 (from its throw-away venv) on a free port, with an empty, volatile stage
 * index `root/bench` (user root, password `bench`). devpi commits every upload with fsync, so its
 * server dir lives in memory (/dev/shm) where there is one, to keep loads short; serving pages
 * does not touch the disk. Returns the process, its base URL and its server dir.
 */
export async function startDevpi(work) {
  const bin = venv('bench-devpi-6.20.3', ['devpi-server==6.20.3']);
  const dir = scratchDir(existsSync('/dev/shm') ? '/dev/shm' : work, 'quiver-bench-devpi-');
  execFileSync(join(bin, 'devpi-init'), ['--serverdir', dir, '--root-passwd', 'bench', '--no-root-pypi'], { stdio: 'ignore' });
  const port = await freePort();
  const server = start(join(bin, 'devpi-server'), ['--serverdir', dir, '--host', '127.0.0.1', '--port', String(port)]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/+api`, server);
  const created = await fetch(`${base}/root/bench`, { method: 'PUT', headers: { ...basic('root', 'bench'), 'content-type': 'application/json' }, body: JSON.stringify({ type: 'stage', bases: [], volatile: true }) });
  if (created.status !== 200 && created.status !== 201) {
    throw new Error(`devpi index: ${created.status} ${await created.text()}`);
  }
  return { server, base, dir };
}

/** The Python clients' venv from the test harness (pip, uv, twine…); returns its bin directory. */
export async function harnessPython(work) {
  const { HarnessContext } = await import('../test/dist/harness/context.js');
  const { python } = await import('../test/dist/harness/services/python.js');
  return (await python.start(new HarnessContext(join(work, 'harness')))).env.QUIVER_TEST_PYTHON_BIN;
}

/** nginx from Debian serving `dir` as static files on `port` (one worker, sendfile, keep-alive). */
export function nginxServing(work, dir, port) {
  const conf = join(work, `nginx-${port}`);
  mkdirSync(conf);
  writeFileSync(
    join(conf, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${conf}/pid; error_log ${conf}/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${conf}; proxy_temp_path ${conf}; keepalive_requests 100000; sendfile on;
  types { application/octet-stream whl metadata; }
  server { listen 127.0.0.1:${port}; root ${dir}; location /simple/ { index index.html; default_type text/html; } } }\n`,
  );
  return start('/usr/sbin/nginx', ['-e', join(conf, 'error.log'), '-c', join(conf, 'nginx.conf')]);
}

/** Saves Quiver's HTML pages (all projects) and, for the first `withFiles`, the files and metadata they link to. */
export async function exportStatic(quiver, dir, projects, withFiles) {
  for (let p = 0; p < projects; p += 1) {
    const page = await fetch(`${quiver.base}/simple/${projectName(p)}/`, { headers: { ...quiver.auth, accept: 'text/html' } });
    mkdirSync(join(dir, 'simple', projectName(p)), { recursive: true });
    const html = await page.text();
    writeFileSync(join(dir, 'simple', projectName(p), 'index.html'), html);
    if (p < withFiles) {
      for (const [, href] of html.matchAll(/href="([^"#]+)#/g)) {
        for (const path of [href, `${href}.metadata`]) {
          const file = await fetch(`${quiver.base}${path}`, { headers: quiver.auth });
          mkdirSync(join(dir, path, '..'), { recursive: true });
          writeFileSync(join(dir, decodeURIComponent(path)), Buffer.from(await file.arrayBuffer()));
        }
      }
    }
  }
}

/** Seconds `pip download --no-deps --no-cache-dir` of `projects` from `indexUrl` takes (into a temp dir under `work`). */
export function pipDownload(work, python, indexUrl, projects) {
  const dest = mkdtempSync(join(work, 'pip-'));
  const began = process.hrtime.bigint();
  const result = spawnSync(
    join(python, 'pip'),
    ['download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '-q', '-d', dest, '--index-url', indexUrl, ...projects],
    { env: { PATH: `${python}:/usr/bin:/bin`, HOME: dest, PIP_CONFIG_FILE: '/dev/null' }, encoding: 'utf8' },
  );
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  if (result.status !== 0) {
    throw new Error(`pip download from ${indexUrl.replace(/\/\/[^@]*@/, '//')} failed:\n${result.stderr}`);
  }
  const files = readdirSync(dest).length;
  rmSync(dest, { recursive: true, force: true });
  if (files !== projects.length) {
    throw new Error(`pip downloaded ${files} files, expected ${projects.length}`);
  }
  return seconds;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * `pip download` of the first `projects` projects from Quiver embedded (`quiver`, from
 * `startQuiverEmbedded`) and from nginx's static copy (`nginx`, listening on `nginxPort`), each
 * `rounds` times, alternating, each run alone. Returns the report: a heading, the table, the ratio.
 */
export async function pipComparison(work, python, { quiver, nginx, nginxPort, projects, rounds }) {
  const names = Array.from({ length: projects }, (_, i) => projectName(i));
  const quiverUrl = `http://__token__:${quiver.token}@${quiver.base.slice('http://'.length)}/simple/`;
  const nginxUrl = `http://127.0.0.1:${nginxPort}/simple/`;
  const times = { quiver: [], nginx: [] };
  for (let round = 0; round < rounds; round += 1) {
    times.nginx.push(await alone(nginx.pid, () => pipDownload(work, python, nginxUrl, names)));
    times.quiver.push(await alone(quiver.pid, () => pipDownload(work, python, quiverUrl, names)));
  }
  const [q, n] = [median(times.quiver), median(times.nginx)];
  const runs = (list) => list.map((t) => t.toFixed(2)).join(', ');
  return [
    `\n## pip download of ${projects} projects (median of ${rounds}, alternating)\n`,
    table(['index', 'seconds', 'runs'], [
      ['nginx, static pages, metadata and wheels', n.toFixed(2), runs(times.nginx)],
      ['Quiver embedded', q.toFixed(2), runs(times.quiver)],
    ]),
    `\nQuiver / nginx: ${(q / n).toFixed(2)}×`,
  ].join('\n');
}
