#!/usr/bin/env node
/**
 * Issue 15's soak (Done-when 3): does the embedded registry's memory stay bounded under a long mix
 * of installs and uploads, and is every acknowledged upload still there at the end? Run
 * `npm run build` first, then:
 *
 *   node_modules/.bin/node bench/soak.mjs [--minutes 30] [--warmup 5] [--abuse 0] [--connections 16]
 *       [--uploads-per-second 5] [--seed-projects 300] [--seed-files 3] [--constant-mib 700]
 *       [--page-cache-bytes 134217728] [--file-cache-bytes 67108864] [--db-buffers-bytes 16777216]
 *       [--checkout <dir>] [--server-node-options '<flags>'] [--no-pin]
 *
 * 1. Starts apps/embedded from the build (`--checkout`, default this one) on a free loopback port
 *    with a fresh data directory, and loads `--seed-projects` × `--seed-files` small wheels.
 * 2. Optionally `--abuse` minutes of broken and hostile requests first (soak-abuse.mjs), alone.
 * 3. `--minutes` of traffic shaped like a team's: readers in their own process (soak-client.mjs,
 *    `--connections` loops of page → .metadata → file, 5% asking for what does not exist), and
 *    uploads at `--uploads-per-second` (a wheel per new release, with an sdist for a third of them;
 *    a fifth of releases start a new project).
 * 4. Every minute: resident memory and what it is made of (soak-memory.mjs), request and upload
 *    counts, CPU of the server and of the readers, the machine's load.
 * 5. At the end, every acknowledged upload is downloaded and its sha256 checked, and each project's
 *    JSON page must list all of its acknowledged files.
 *
 * Verdict: after the warm-up, RSS stays within QUIVER_PAGE_CACHE_BYTES + QUIVER_FILE_CACHE_BYTES +
 * 4 × QUIVER_EMBEDDED_DB_BUFFERS_BYTES + `--constant-mib` (docs/adr/0017 says what the constant
 * covers), and nothing acknowledged is lost.
 * The server runs on CPU 0 and the driver and readers on the other cores (lib.mjs `alone`).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { abuse } from './soak-abuse.mjs';
import { distribution, upload } from './soak-dists.mjs';
import { cpuOf, mib, reportFlags, sample } from './soak-memory.mjs';
import { alone, arg, log, root, scratchDir, sha256, startQuiverEmbedded, stopAll, table } from './lib.mjs';

const MINUTES = arg('minutes', 30);
const WARMUP = arg('warmup', 5);
const ABUSE = arg('abuse', 0);
const CONNECTIONS = arg('connections', 16);
const UPLOADS_PER_SECOND = arg('uploads-per-second', 5);
const SEED_PROJECTS = arg('seed-projects', 300);
const SEED_FILES = arg('seed-files', 3);
const CONSTANT_MIB = arg('constant-mib', 700);
const PAGE_CACHE = arg('page-cache-bytes', 128 * 2 ** 20);
const FILE_CACHE = arg('file-cache-bytes', 64 * 2 ** 20);
const DB_BUFFERS = arg('db-buffers-bytes', 16 * 2 ** 20);
const CHECKOUT = arg('checkout', root);
const MIB = 2 ** 20;
/** The embedded registry's PGlite databases: upload, index, auth, audit. */
const DATABASES = 4;
/** The settings that budget memory (docs/adr/0017): both index caches and the databases' buffer pools. */
const BUDGETS = PAGE_CACHE + FILE_CACHE + DATABASES * DB_BUFFERS;
const BUDGET = BUDGETS + CONSTANT_MIB * MIB;

const work = scratchDir(tmpdir(), 'quiver-bench-soak-');
const reports = join(work, 'reports');
const uploadTemp = join(work, 'upload-temp');
mkdirSync(reports);
mkdirSync(uploadTemp);

/** Every acknowledged upload, in order. */
const acknowledged = [];
const projectVersions = new Map(); // project → next minor version
let projectCount = 0;

const newProject = () => {
  const name = `soak-${projectCount++}`;
  projectVersions.set(name, 0);
  return name;
};

/** The next release: a wheel, and for a third of releases an sdist of the same version. */
function nextRelease(fresh) {
  const names = [...projectVersions.keys()];
  const project = fresh || names.length === 0 ? newProject() : names[Math.floor(Math.random() * names.length)];
  const minor = projectVersions.get(project);
  projectVersions.set(project, minor + 1);
  const version = `1.${minor}`;
  return [distribution(project, version, 'wheel'), ...(Math.random() < 1 / 3 ? [distribution(project, version, 'sdist')] : [])];
}

const uploadStats = () => ({ ok: 0, failed: 0, samples: [] });
let uploads = uploadStats();

async function publish(quiver, dists, onAcknowledged) {
  for (const dist of dists) {
    let result;
    try {
      result = await upload(quiver.base, quiver.auth, dist);
    } catch (error) {
      result = { status: 0, text: error.cause?.code ?? error.message };
    }
    if (result.status === 200) {
      uploads.ok += 1;
      const entry = { project: dist.project, filename: dist.filename, sha256: dist.sha256, kind: dist.kind };
      acknowledged.push(entry);
      onAcknowledged(entry);
    } else {
      uploads.failed += 1;
      if (uploads.samples.length < 5) {
        uploads.samples.push(`${dist.filename}: ${result.status} ${result.text.slice(0, 160)}`);
      }
    }
  }
}

/** Uploads at `perSecond` releases a second (at most 4 in flight) until `until`. */
async function uploadLoop(quiver, perSecond, until, onAcknowledged) {
  const inFlight = new Set();
  for (let next = Date.now(); Date.now() < until; next += 1000 / perSecond) {
    const wait = next - Date.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    while (inFlight.size >= 4) {
      await Promise.race(inFlight);
    }
    const job = publish(quiver, nextRelease(Math.random() < 0.2), onAcknowledged).finally(() => inFlight.delete(job));
    inFlight.add(job);
  }
  await Promise.all(inFlight);
}

/** The readers' process, reading `files` (and what `add` adds) from the start; forked on the driver's cores; answers `stats` over IPC. */
function startReaders(quiver, files) {
  const child = fork(join(root, 'bench', 'soak-client.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (message) => waiting.shift()?.(message));
  const ask = (message) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      child.send(message);
    });
  child.send({ type: 'files', files });
  child.send({ type: 'start', base: quiver.base, authorization: quiver.auth.authorization, connections: CONNECTIONS, notFoundShare: 0.05 });
  return {
    pid: child.pid,
    add: (files) => child.send({ type: 'files', files }),
    stats: () => ask({ type: 'stats' }),
    stop: async () => {
      await ask({ type: 'stop' });
      await once(child, 'exit');
    },
  };
}

const tempEntries = () => readdirSync(uploadTemp).length;

async function verify(quiver) {
  const problems = [];
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < acknowledged.length; at = next++) {
      const entry = acknowledged[at];
      const url = `${quiver.base}/files/${entry.sha256}/${encodeURIComponent(entry.filename)}`;
      const response = await fetch(url, { headers: quiver.auth });
      const bytes = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200 || sha256(bytes) !== entry.sha256) {
        problems.push(`${entry.filename}: ${response.status}, sha256 ${sha256(bytes)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const byProject = Map.groupBy(acknowledged, (entry) => entry.project);
  for (const [project, entries] of byProject) {
    const response = await fetch(`${quiver.base}/simple/${project}/`, { headers: { ...quiver.auth, accept: 'application/vnd.pypi.simple.v1+json' } });
    const listed = response.status === 200 ? new Set((await response.json()).files.map((file) => `${file.filename} ${file.hashes.sha256}`)) : new Set();
    for (const entry of entries) {
      if (!listed.has(`${entry.filename} ${entry.sha256}`)) {
        problems.push(`${entry.filename}: not listed on /simple/${project}/ (${response.status})`);
      }
    }
  }
  return { checked: acknowledged.length, projects: byProject.size, problems };
}

const slope = (points) => {
  // least squares, MiB per minute
  if (points.length < 2) {
    return NaN;
  }
  const n = points.length;
  const mx = points.reduce((t, [x]) => t + x, 0) / n;
  const my = points.reduce((t, [, y]) => t + y, 0) / n;
  const sxy = points.reduce((t, [x, y]) => t + (x - mx) * (y - my), 0);
  const sxx = points.reduce((t, [x]) => t + (x - mx) ** 2, 0);
  return sxy / sxx / MIB;
};

/** Nest colours its log lines on a terminal; the report is plain text. */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const stripColours = (line) => line.replace(COLOUR, '');

const report = [];
const out = (text) => {
  report.push(text);
  console.log(text);
};

try {
  const began = new Date();
  const quiver = await startQuiverEmbedded(
    join(work, 'data'),
    {
      NODE_OPTIONS: [...reportFlags(reports), arg('server-node-options', '')].join(' ').trim(),
      QUIVER_TEMP_DIR: uploadTemp,
      QUIVER_PAGE_CACHE_BYTES: String(PAGE_CACHE),
      QUIVER_FILE_CACHE_BYTES: String(FILE_CACHE),
      QUIVER_EMBEDDED_DB_BUFFERS_BYTES: String(DB_BUFFERS),
    },
    CHECKOUT,
  );
  const rows = [];
  const samples = [];
  /** Samples the server; CPU is the share of one core since the previous sample. */
  const record = async (minute, phase, extra = {}) => {
    const previous = samples.at(-1);
    const s = { minute, phase, at: Date.now(), ...(await sample(quiver.pid, reports)), ...extra };
    samples.push(s);
    const serverCpu = previous ? `${Math.round(((s.cpu - previous.cpu) / ((s.at - previous.at) / 1000)) * 100)}%` : '–';
    const load = loadavg()[0].toFixed(2);
    rows.push([
      minute,
      phase,
      mib(s.rss),
      mib(s.hwm),
      `${mib(s.wasm.resident)} / ${mib(s.wasm.size)} (${s.wasm.count})`,
      `${mib(s.heapCommitted)} (${mib(s.heapUsed)})`,
      mib(s.buffers),
      mib(s.otherAnon),
      mib(s.rssFile),
      extra.pageCacheBound === undefined ? '–' : mib(Math.min(PAGE_CACHE, extra.pageCacheBound) + Math.min(FILE_CACHE, extra.fileCacheBound)),
      extra.rps ?? '–',
      extra.uploads ?? '–',
      extra.errors ?? '–',
      serverCpu,
      extra.clientCpu ?? '–',
      load,
      tempEntries(),
    ]);
    log(
      `minute ${minute} (${phase}): RSS ${mib(s.rss)} MiB, peak ${mib(s.hwm)}, WASM ${mib(s.wasm.resident)}/${mib(s.wasm.size)}, heap ${mib(s.heapCommitted)} (${mib(s.heapUsed)} used), ` +
        `buffers ${mib(s.buffers)}, other ${mib(s.otherAnon)}; ${extra.rps ?? '–'} req/s, ${extra.uploads ?? '–'} uploads, errors ${extra.errors ?? '–'}, CPU server ${serverCpu} readers ${extra.clientCpu ?? '–'}, load ${load}, temp ${tempEntries()}`,
    );
  };
  await record(0, 'started');

  // 1. The seed corpus.
  const seedStarted = Date.now();
  const seed = [];
  for (let p = 0; p < SEED_PROJECTS; p += 1) {
    const project = newProject();
    for (let f = 0; f < SEED_FILES; f += 1) {
      projectVersions.set(project, f + 1);
      seed.push(distribution(project, `1.${f}`, 'wheel'));
    }
  }
  let seedNext = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let at = seedNext++; at < seed.length; at = seedNext++) {
        await publish(quiver, [seed[at]], () => undefined);
      }
    }),
  );
  if (uploads.failed > 0) {
    throw new Error(`seeding failed: ${uploads.samples.join('; ')}`);
  }
  log(`seeded ${seed.length} wheels in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);
  uploads = uploadStats();
  await record(0, 'seeded');

  const abuseOutcomes = new Map();
  await alone(quiver.pid, async () => {
    // 2. Abuse, alone.
    const target = { base: quiver.base, host: '127.0.0.1', port: Number(new URL(quiver.base).port), authorization: quiver.auth.authorization };
    for (let minute = 1; minute <= ABUSE; minute += 1) {
      const outcomes = await abuse(target, 4, Date.now() + 60_000);
      for (const [key, count] of outcomes) {
        abuseOutcomes.set(key, (abuseOutcomes.get(key) ?? 0) + count);
      }
      await record(minute, 'abuse', { rps: `${Math.round([...outcomes.values()].reduce((t, c) => t + c, 0) / 60)} (abuse)` });
    }

    // 3. The soak.
    const readers = startReaders(quiver, acknowledged);
    const soakEnd = Date.now() + MINUTES * 60_000;
    const uploading = uploadLoop(quiver, UPLOADS_PER_SECOND, soakEnd, (entry) => readers.add([entry]));
    for (let m = 1; m <= MINUTES; m += 1) {
      const started = Date.now();
      const clientCpu = cpuOf([readers.pid]);
      const driverCpu = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(soakEnd, started + 60_000) - Date.now())));
      const seconds = (Date.now() - started) / 1000;
      const stats = await readers.stats();
      const driver = process.cpuUsage(driverCpu);
      const done = uploads;
      uploads = uploadStats();
      await record(ABUSE + m, m <= WARMUP ? 'warm-up' : 'soak', {
        rps: Math.round(stats.requests / seconds),
        uploads: done.ok,
        errors: stats.errors + done.failed,
        clientCpu: `${Math.round(((cpuOf([readers.pid]) - clientCpu + (driver.user + driver.system) / 1e6) / seconds) * 100)}%`,
        pageCacheBound: stats.pageCacheBound,
        fileCacheBound: stats.fileCacheBound,
      });
      for (const line of [...stats.samples, ...done.samples]) {
        log(`  error: ${line}`);
      }
    }
    await uploading;
    await readers.stop();
  });

  // 4. Every acknowledged upload, downloaded and listed.
  const verification = await verify(quiver);
  await record('end', 'after the check');

  // The report.
  const soakSamples = samples.filter((s) => s.phase === 'soak');
  const maxRss = Math.max(...soakSamples.map((s) => s.rss));
  const maxPeak = Math.max(...soakSamples.map((s) => s.hwm));
  const lastBound = samples.filter((s) => s.pageCacheBound !== undefined).at(-1);
  const cacheBound = lastBound ? Math.min(PAGE_CACHE, lastBound.pageCacheBound) + Math.min(FILE_CACHE, lastBound.fileCacheBound) : NaN;
  const growth = slope(soakSamples.map((s) => [s.minute, s.rss]));
  const half = soakSamples.slice(Math.floor(soakSamples.length / 2));
  const withinBudget = soakSamples.length > 0 && maxRss <= BUDGET;
  const allThere = verification.problems.length === 0;
  out(`\n## Soak: ${MINUTES} min (${WARMUP} warm-up)${ABUSE ? ` after ${ABUSE} min of abuse` : ''}, ${CONNECTIONS} reader connections, ${UPLOADS_PER_SECOND} releases/s, started ${began.toISOString().slice(0, 16)} UTC\n`);
  out('Memory in MiB. WASM: the PGlite databases\' WebAssembly memories, resident / accessible (count). V8 heap: committed (used). Buffers: external memory outside the WASM memories. Other: the rest of the anonymous memory (malloc, compiled code). Peak: VmHWM since the previous row. Caches ≤: the most the two index caches can hold by then (the distinct pages and files the readers received). CPU: % of one core (readers: the reader process and this driver). Temp: entries left in the upload temp directory.\n');
  out(
    table(
      ['min', 'phase', 'RSS', 'peak', 'WASM', 'V8 heap', 'buffers', 'other', 'file-backed', 'caches ≤', 'req/s', 'uploads', 'errors', 'server CPU', 'readers CPU', 'load', 'temp'],
      rows,
    ),
  );
  const beyond = Math.max(...soakSamples.map((s) => s.rss - Math.min(PAGE_CACHE, s.pageCacheBound) - Math.min(FILE_CACHE, s.fileCacheBound) - DATABASES * DB_BUFFERS));
  out(`\nBudget: page cache ${mib(PAGE_CACHE)} + file cache ${mib(FILE_CACHE)} + ${DATABASES} × database buffers ${mib(DB_BUFFERS)} + constant ${CONSTANT_MIB} = ${mib(BUDGET)} MiB.`);
  out(`After the warm-up (${soakSamples.length} samples): RSS at most ${mib(maxRss)} MiB (peak ${mib(maxPeak)} MiB): **${withinBudget ? 'within the budget' : 'OVER the budget'}**. The caches held at most ${mib(cacheBound)} MiB (what the readers received, by distinct page and file, with the overheads each cache counts per entry); RSS beyond the caches' contents and the buffer pools: at most ${mib(beyond)} MiB (what the constant covers).`);
  out(`Growth after the warm-up: ${growth.toFixed(2)} MiB/min (second half: ${slope(half.map((s) => [s.minute, s.rss])).toFixed(2)} MiB/min).`);
  out(`Acknowledged uploads: ${verification.checked.toLocaleString('en')} in ${verification.projects.toLocaleString('en')} projects; downloaded with the right sha256 and listed: **${allThere ? 'all' : `${verification.problems.length} problems`}**.`);
  for (const problem of verification.problems.slice(0, 20)) {
    out(`- ${problem}`);
  }
  const warnings = quiver.output().split('\n').filter((line) => /\b(WARN|ERROR)\b/.test(line));
  if (warnings.length > 0) {
    out(`\nThe server's last warnings and errors (of its last 20,000 characters of output):\n\n${warnings.slice(-5).map((line) => `    ${stripColours(line)}`).join('\n')}`);
  }
  if (abuseOutcomes.size > 0) {
    out('\nAbuse outcomes (kind → HTTP status or what happened):\n');
    out(table(['request', 'count'], [...abuseOutcomes].sort().map(([key, count]) => [key, count])));
  }
  writeFileSync(join(root, 'bench', 'last-run.md'), `${report.join('\n')}\n`);
  await quiver.stop();
  if (!withinBudget || !allThere) {
    process.exitCode = 1;
  }
} finally {
  await stopAll();
}
