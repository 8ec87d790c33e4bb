#!/usr/bin/env node
/**
 * Issue 3's benchmark, side by side in one run on this machine (run `npm run build` first):
 *
 *   node_modules/.bin/node bench/simple-index.mjs [--projects 2000] [--files 5] [--connections 64] [--seconds 15]
 *                                                 [--scale-projects 20000] [--scale-files 2] [--scale-rounds 3] [--pip-projects 50]
 *                                                 [--pip-rounds 5] [--big-bytes 1073741824] [--no-pin]
 *
 * 1. Project pages: a corpus of valid wheels loaded through each server's own upload path into
 *    Quiver embedded, Quiver distributed (every service twice behind nginx, on real Postgres, Kafka
 *    and S3 from the test harness), pypiserver and devpi-server (each from PyPI in a throw-away
 *    virtualenv), plus nginx serving Quiver's own pages as static files (the ceiling). Random
 *    `/simple/<project>/` pages at `--connections` for `--seconds` against each, one at a time.
 * 2. `pip download` of `--pip-projects` projects: Quiver embedded vs nginx serving the same pages,
 *    metadata files and wheels statically (median of `--pip-rounds` alternating runs).
 * 3. Scale: two more Quiver embedded instances, with `--projects` and with `--scale-projects`
 *    projects of `--scale-files` files each: each gets one pass over every page, then the two are
 *    measured in turn for `--scale-rounds` rounds (`--seconds` split between them).
 * 4. Memory: a ~1 GiB wheel uploaded with curl to a fresh embedded instance and through the
 *    distributed front door; the growth of each upload process's peak RSS (VmHWM).
 * Loads overlap (they are not what is compared); measurements run one at a time on an idle machine.
 * Servers started here run on CPU 0 and the load generator (and pip) on the other cores, and every
 * other server started here is paused (SIGSTOP) while one is measured (lib.mjs `alone`). Each load
 * runs in a fresh process (load.mjs), not in this one, which holds the corpora; nginx is measured
 * again after the scale rounds, and the report gives that drift next to the table.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alone,
  arg,
  exportStatic,
  harnessPython,
  nginxServing,
  pipComparison,
  venv,
  basic,
  buildCorpus,
  freePort,
  log,
  measureAlternating,
  measurePages,
  memoryOf,
  projectName,
  root,
  scratchDir,
  sha256File,
  peakGrowthDuringUpload,
  writeBigWheel,
  start,
  startDevpi,
  startQuiverDistributed,
  startQuiverEmbedded,
  stop,
  stopAll,
  table,
  uploadCorpus,
  waitFor,
} from './lib.mjs';

const PROJECTS = arg('projects', 2000);
const FILES = arg('files', 5);
const CONNECTIONS = arg('connections', 64);
const SECONDS = arg('seconds', 15);
const SCALE_PROJECTS = arg('scale-projects', 20_000);
const SCALE_FILES = arg('scale-files', 2);
const SCALE_ROUNDS = arg('scale-rounds', 3);
const PIP_PROJECTS = arg('pip-projects', 50);
const PIP_ROUNDS = arg('pip-rounds', 5);
const BIG_BYTES = arg('big-bytes', 2 ** 30);
const work = scratchDir(tmpdir(), 'quiver-bench-');
const report = [];
const out = (text) => {
  report.push(text);
  console.log(text);
};

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const row = (r, ceiling) => [r.label, r.rps.toLocaleString('en'), r.p50, r.p99, r.errors, `${((r.rps / ceiling) * 100).toFixed(1)}%`];

try {
  const pythonBin = await harnessPython(work);
  const pypiserverBin = venv('bench-pypiserver-2.4.2', ['pypiserver[cache]==2.4.2', 'waitress==3.0.2']);

  log(`building ${PROJECTS} projects × ${FILES} wheels, and ${SCALE_PROJECTS} × ${SCALE_FILES} for the scale point`);
  const pkgDir = join(work, 'packages');
  const corpus = buildCorpus(pkgDir, PROJECTS, FILES);
  const scaleCorpus = buildCorpus(join(work, 'scale-packages'), SCALE_PROJECTS, SCALE_FILES);
  rmSync(join(work, 'scale-packages'), { recursive: true, force: true });
  const loads = [];
  const timed = async (label, files, load) => {
    const seconds = await load();
    loads.push([label, files, seconds]);
    log(`${label}: ${files} files in ${seconds.toFixed(0)} s`);
  };

  // Phase 1, loading (not measured, so the slow loads overlap): devpi-server takes ~0.1 s per upload.
  // Its server dir lives in memory (lib.mjs startDevpi): only its load time benefits.
  const { server: devpi, base: dBase, dir: devpiDir } = await startDevpi(work);
  // devpi-server answers 500 when a write waits over 60 s for its database lock (KeyfsTimeoutError;
  // seen with every server pinned to one core while loading): its 5xx are retried, up to 3 times
  // per file, with its log, and counted under the loading table.
  let devpiRetries = 0;
  const onRetry = (item, status) => {
    devpiRetries += 1;
    log(`devpi-server answered ${status} to ${item.filename}; retrying. Its output ends:\n${devpi.output().slice(-2_000)}`);
  };
  const devpiLoaded = timed('devpi-server 6.20.3', corpus.length, () => uploadCorpus(`${dBase}/root/bench/`, basic('root', 'bench'), corpus, 8, { retries: 3, onRetry }));
  devpiLoaded.catch(() => undefined); // awaited below; a failure meanwhile must still reach the finally

  const embedded = await startQuiverEmbedded(join(work, 'embedded'));
  await timed('Quiver embedded', corpus.length, () => uploadCorpus(`${embedded.base}/legacy/`, embedded.auth, corpus));
  // Scale: the same per-project shape at PROJECTS and at SCALE_PROJECTS projects.
  const isSmall = (item) => Number(item.project.slice('bench-'.length)) < PROJECTS;
  const scaleSmall = await startQuiverEmbedded(join(work, 'scale-small'));
  await timed(`Quiver embedded (scale, ${PROJECTS} projects)`, scaleCorpus.filter(isSmall).length, () => uploadCorpus(`${scaleSmall.base}/legacy/`, scaleSmall.auth, scaleCorpus.filter(isSmall), 16));
  const scaleBig = await startQuiverEmbedded(join(work, 'scale-big'));
  await timed(`Quiver embedded (scale, ${SCALE_PROJECTS} projects)`, scaleCorpus.length, () => uploadCorpus(`${scaleBig.base}/legacy/`, scaleBig.auth, scaleCorpus, 16));

  // nginx: Quiver's own pages (and, for the pip comparison, files) as static files.
  const staticDir = join(work, 'static');
  await exportStatic(embedded, staticDir, PROJECTS, PIP_PROJECTS);
  const nPort = await freePort();
  const nginx = nginxServing(work, staticDir, nPort);
  await waitFor(`http://127.0.0.1:${nPort}/simple/${projectName(0)}/`, nginx);

  // pypiserver, serving the same wheel files from a directory (cached-dir: no rescan per request).
  const pPort = await freePort();
  const pypiserver = start(join(pypiserverBin, 'pypi-server'), ['run', '-p', String(pPort), '-i', '127.0.0.1', '-a', '.', '-P', '.', '--server', 'auto', '--backend', 'cached-dir', pkgDir]);
  await waitFor(`http://127.0.0.1:${pPort}/simple/${projectName(0)}/`, pypiserver);
  await devpiLoaded;

  // Phase 2, measuring: one server at a time, every other server we started paused (`alone`).
  const measure = (label, pid, base, headers, { projects = PROJECTS, path, everyPage = false } = {}) => {
    log(`measuring ${label}`);
    return alone(pid, () => measurePages(label, base, headers, projects, { connections: CONNECTIONS, seconds: SECONDS, everyPage, ...(path ? { path } : {}) }));
  };
  const html = (quiver) => ({ ...quiver.auth, accept: 'text/html' });
  const rows = [];
  rows.push(await measure('nginx, the same pages as static files (ceiling)', nginx.pid, `http://127.0.0.1:${nPort}`, {}));
  rows.push(await measure('Quiver embedded', embedded.pid, embedded.base, html(embedded)));
  rows.push(await measure('pypiserver 2.4.2 (waitress, cached-dir backend)', pypiserver.pid, `http://127.0.0.1:${pPort}`, {}));
  rows.push(await measure('devpi-server 6.20.3', devpi.pid, dBase, {}, { path: '/root/bench/+simple/%s/' }));
  await stop(pypiserver);
  await stop(devpi);
  rmSync(devpiDir, { recursive: true, force: true });
  log('measuring the scale point');
  const scaleRows = await measureAlternating(
    [
      { label: `Quiver embedded, ${PROJECTS.toLocaleString('en')} projects`, base: scaleSmall.base, headers: html(scaleSmall), projects: PROJECTS, pid: scaleSmall.pid },
      { label: `Quiver embedded, ${SCALE_PROJECTS.toLocaleString('en')} projects`, base: scaleBig.base, headers: html(scaleBig), projects: SCALE_PROJECTS, pid: scaleBig.pid },
    ],
    { connections: CONNECTIONS, seconds: SECONDS, rounds: SCALE_ROUNDS },
  );
  // The ceiling once more, last: if the machine (or the benchmark) drifted during the measuring
  // phase, the report shows it next to the table.
  const nginxAgain = await measure('nginx again, after the other measurements (drift check)', nginx.pid, `http://127.0.0.1:${nPort}`, {});
  const scaleRss = memoryOf(scaleBig.pid);
  await scaleSmall.stop();
  await scaleBig.stop();

  // pip download: the same projects from Quiver and from nginx's static copy, alternating.
  const pipReport = await pipComparison(work, pythonBin, { quiver: embedded, nginx, nginxPort: nPort, projects: PIP_PROJECTS, rounds: PIP_ROUNDS });
  await stop(nginx);
  await embedded.stop();

  // A 1 GiB upload: how much does the upload process's peak RSS grow? Fresh processes, one warm-up upload.
  const big = join(work, 'big');
  mkdirSync(big);
  const bigWheel = join(big, 'bigproject-1.0-py3-none-any.whl');
  writeBigWheel(bigWheel, 'bigproject', '1.0', BIG_BYTES);
  const bigSize = statSync(bigWheel).size;
  const bigFields = { ':action': 'file_upload', protocol_version: '1', name: 'bigproject', version: '1.0', metadata_version: '2.1', filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: await sha256File(bigWheel) };
  const limit = { QUIVER_MAX_UPLOAD_BYTES: String(2 ** 30) };
  const memoryRows = [];
  const fresh = await startQuiverEmbedded(join(work, 'memory'), limit);
  await uploadCorpus(`${fresh.base}/legacy/`, fresh.auth, corpus.slice(0, 1), 1);
  for (const r of await peakGrowthDuringUpload(`${fresh.base}/legacy/`, fresh.token, bigWheel, bigFields, new Map([['embedded (all services)', fresh.pid]]), big)) {
    memoryRows.push(['Quiver embedded', r]);
  }
  await fresh.stop();

  // Quiver distributed behind its front door, on real Postgres, Kafka and S3. A failure here is
  // reported (with the stack's own logs) under the tables the run did measure, and fails the run.
  log('starting Quiver distributed (Postgres, Kafka, S3, 2× each service, nginx)');
  let distributedFailure;
  const distributed = await startQuiverDistributed(join(work, 'distributed'), limit);
  try {
    await uploadCorpus(`${distributed.base}/legacy/`, distributed.auth, corpus.slice(0, 2), 1);
    const uploaders = new Map([...distributed.pids].filter(([name]) => name.startsWith('upload-')));
    for (const r of await peakGrowthDuringUpload(`${distributed.base}/legacy/`, distributed.token, bigWheel, bigFields, uploaders, big)) {
      memoryRows.push(['Quiver distributed', r]);
    }
    rmSync(big, { recursive: true, force: true });
    await timed('Quiver distributed', corpus.length, () => uploadCorpus(`${distributed.base}/legacy/`, distributed.auth, corpus, 32));
    rows.push(await measure('Quiver distributed (front door, 2 index replicas)', undefined, distributed.base, html(distributed)));
  } catch (error) {
    distributedFailure = error.message;
    log(`Quiver distributed failed: ${error.stack}\n${distributed.diagnostics()}`);
    process.exitCode = 1;
  } finally {
    await distributed.stop();
  }

  // The report.
  const ceiling = rows[0].rps;
  out(`\n## Project pages: ${PROJECTS.toLocaleString('en')} projects × ${FILES} files, ${CONNECTIONS} connections, ${SECONDS} s each\n`);
  out(table(['server', 'req/s', 'p50 (ms)', 'p99 (ms)', 'errors', 'vs nginx'], rows.map((r) => row(r, ceiling))));
  out(`\nDrift check: nginx measured again after the scale rounds: ${nginxAgain.rps.toLocaleString('en')} req/s, p99 ${nginxAgain.p99} ms (${((nginxAgain.rps / ceiling) * 100).toFixed(1)}% of its first measurement).`);
  const [before, after] = scaleRows;
  out(`\n## Scale: ${PROJECTS.toLocaleString('en')} vs ${SCALE_PROJECTS.toLocaleString('en')} projects (× ${SCALE_FILES} files each)\n`);
  out(table(['instance', 'req/s (mean of rounds)', 'rounds (req/s)', 'p50 (ms)', 'p99 (ms, worst round)', 'errors', 'first pass over every page'], scaleRows.map((r) => [r.label, r.rps.toLocaleString('en'), r.rounds.map((x) => x.toLocaleString('en')).join(', '), r.p50, r.p99, r.errors, `${r.coldPass.seconds.toFixed(1)} s (${Math.round(r.projects / r.coldPass.seconds)} pages/s)`])));
  out(`\nChange: ${(((after.rps - before.rps) / before.rps) * 100).toFixed(1)}%. RSS of the ${SCALE_PROJECTS.toLocaleString('en')}-project process: ${mib(scaleRss.current)} MiB (peak ${mib(scaleRss.peak)} MiB).`);
  out(pipReport);
  out(`\n## Peak RSS during one ${bigSize.toLocaleString('en')}-byte upload\n`);
  out(table(['mode', 'process', 'RSS before (MiB)', 'peak during (MiB)', 'growth (MiB)'], memoryRows.map(([mode, r]) => [mode, r.name, mib(r.before), mib(r.after), mib(r.after - r.before)])));
  out(`\n## Loading through each server's upload API (not a comparison: devpi loaded while the Quiver embedded instances did)\n`);
  out(table(['server', 'files', 'seconds', 'files/s'], loads.map(([label, files, seconds]) => [label, files.toLocaleString('en'), seconds.toFixed(0), Math.round(files / seconds)])));
  out(`\ndevpi-server uploads retried after a 5xx: ${devpiRetries}.`);
  if (distributedFailure) {
    out(`\n**Quiver distributed failed, so its rows are missing:** ${distributedFailure}`);
  }
  writeFileSync(join(root, 'bench', 'last-run.md'), `${report.join('\n')}\n`);
} finally {
  await stopAll();
}
