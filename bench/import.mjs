#!/usr/bin/env node
/**
 * `quiver import`'s rate (issue 14, Done-when 3), in one run on this machine (run `npm run build` first):
 *
 *   node_modules/.bin/node bench/import.mjs [--files 2000] [--devpi-files 500] [--concurrency 4]
 *
 * A corpus of small valid wheels (5 per project) is imported into a fresh Quiver embedded instance
 * from each source: the package directory itself, pypiserver 2.4.2 serving that directory (HTML
 * pages), and devpi-server 6.20.3 (PEP 691 JSON) holding the first `--devpi-files` of them (devpi
 * takes about 0.1 s per upload, so its corpus is smaller). Each import runs the real CLI as its own
 * process; its wall time includes reading the source's pages, downloading, verifying the hashes
 * and uploading. Then each import runs again: the rerun copies nothing, and its time is what
 * checking every file against Quiver costs.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { arg, basic, buildCorpus, freePort, log, root, scratchDir, start, startDevpi, startQuiverEmbedded, stopAll, table, uploadCorpus, venv, waitFor } from './lib.mjs';

const FILES = arg('files', 2000);
const DEVPI_FILES = arg('devpi-files', 500);
const CONCURRENCY = arg('concurrency', 4);
const PER_PROJECT = 5;
const work = scratchDir(tmpdir(), 'quiver-bench-import-');
const report = [];
const out = (text) => {
  report.push(text);
  console.log(text);
};

/** Runs `quiver import … --json` against `target`; returns its summary and wall seconds. */
async function importInto(target, args, input) {
  const began = performance.now();
  const stdout = await new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(root, 'apps', 'cli', 'dist', 'main.js'), 'import', ...args, '--concurrency', String(CONCURRENCY), '--json'],
      { env: { ...process.env, QUIVER_URL: target.base, QUIVER_TOKEN: target.token }, maxBuffer: 64 * 2 ** 20 },
      (error, output, errors) => (error ? reject(new Error(`quiver import: ${error.message}\n${errors.slice(-2_000)}`)) : resolve(output)),
    );
    child.stdin.end(input);
  });
  const seconds = (performance.now() - began) / 1000;
  return { summary: JSON.parse(stdout), seconds };
}

try {
  const pypiserverBin = venv('bench-pypiserver-2.4.2', ['pypiserver[cache]==2.4.2', 'waitress==3.0.2']);
  log(`building ${FILES} wheels`);
  const packages = join(work, 'packages');
  const corpus = buildCorpus(packages, Math.ceil(FILES / PER_PROJECT), PER_PROJECT).slice(0, FILES);

  const pPort = await freePort();
  const pypiserver = start(join(pypiserverBin, 'pypi-server'), ['run', '-p', String(pPort), '-i', '127.0.0.1', '-a', '.', '-P', '.', '--server', 'auto', '--backend', 'cached-dir', packages]);
  await waitFor(`http://127.0.0.1:${pPort}/simple/`, pypiserver);

  const { base: dBase } = await startDevpi(work);
  log(`loading ${DEVPI_FILES} wheels into devpi-server`);
  await uploadCorpus(`${dBase}/root/bench/`, basic('root', 'bench'), corpus.slice(0, DEVPI_FILES), 8, { retries: 3 });

  const sources = [
    { label: 'package directory', files: corpus.length, args: [packages] },
    { label: 'pypiserver 2.4.2 (HTML)', files: corpus.length, args: ['--from', `http://127.0.0.1:${pPort}/simple/`] },
    { label: 'devpi-server 6.20.3 (PEP 691 JSON)', files: Math.min(DEVPI_FILES, corpus.length), args: ['--from', `${dBase}/root/bench/+simple/`, '--username', 'root', '--password-stdin'], input: 'bench\n' },
  ];
  const rows = [];
  for (const [index, source] of sources.entries()) {
    const target = await startQuiverEmbedded(join(work, `target-${index}`));
    log(`importing from the ${source.label}`);
    const first = await importInto(target, source.args, source.input);
    if (first.summary.copied !== source.files || first.summary.failed.length > 0) {
      throw new Error(`${source.label}: copied ${first.summary.copied} of ${source.files}, failed ${JSON.stringify(first.summary.failed.slice(0, 3))}`);
    }
    const again = await importInto(target, source.args, source.input);
    if (again.summary.copied !== 0 || again.summary.present !== source.files) {
      throw new Error(`${source.label}: the rerun copied ${again.summary.copied}, found ${again.summary.present} present`);
    }
    rows.push([source.label, source.files.toLocaleString('en'), first.seconds.toFixed(1), (source.files / first.seconds).toFixed(1), again.seconds.toFixed(1)]);
    await target.stop();
  }
  out(`## quiver import into Quiver embedded (${CONCURRENCY} files at a time), ${new Date().toISOString().slice(0, 10)}\n`);
  out(table(['source', 'files', 'seconds', 'files/s', 'rerun seconds (nothing to copy)'], rows));
  writeFileSync(join(root, 'bench', 'last-run.md'), `${report.join('\n')}\n`);
} finally {
  await stopAll();
}
