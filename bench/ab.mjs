#!/usr/bin/env node
/**
 * A change against its baseline, on the same machine in the same run: Quiver embedded from this
 * checkout and from another built checkout (for example a `git worktree` of the previous commit),
 * each loaded with the same corpus through the upload API one after the other (the load times are
 * comparable), then their `/simple/<project>/` pages measured in alternating rounds, each server
 * alone on its core.
 *
 *   git worktree add ../quiver-baseline <commit> && (cd ../quiver-baseline && npm ci && npm run build)
 *   node_modules/.bin/node bench/ab.mjs --baseline ../quiver-baseline [--projects 2000] [--files 2]
 *                                       [--rounds 4] [--connections 64] [--seconds 20]
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, buildCorpus, log, measureAlternating, root, scratchDir, startQuiverEmbedded, stopAll, table, uploadCorpus } from './lib.mjs';

const baselineIndex = process.argv.indexOf('--baseline');
const baseline = baselineIndex > 0 ? resolve(process.argv[baselineIndex + 1] ?? '') : '';
if (!baseline || !existsSync(join(baseline, 'apps/embedded/dist/main.js'))) {
  process.stderr.write('bench/ab.mjs needs --baseline <a built checkout of Quiver> (apps/embedded/dist/main.js must exist there)\n');
  process.exit(2);
}
const PROJECTS = arg('projects', 2000);
const FILES = arg('files', 2);
const ROUNDS = arg('rounds', 4);
const CONNECTIONS = arg('connections', 64);
const SECONDS = arg('seconds', 20);
const work = scratchDir(tmpdir(), 'quiver-bench-ab-');

try {
  const corpus = buildCorpus(join(work, 'packages'), PROJECTS, FILES);
  rmSync(join(work, 'packages'), { recursive: true, force: true });
  const targets = [];
  const loads = [];
  for (const [label, checkout] of [
    ['baseline', baseline],
    ['this checkout', root],
  ]) {
    const quiver = await startQuiverEmbedded(join(work, label.replace(/\W+/g, '-')), {}, checkout);
    const seconds = await uploadCorpus(`${quiver.base}/legacy/`, quiver.auth, corpus, 16);
    log(`${label}: ${corpus.length} files loaded in ${seconds.toFixed(1)} s`);
    loads.push([label, corpus.length.toLocaleString('en'), seconds.toFixed(1), (corpus.length / seconds).toFixed(0)]);
    targets.push({ label: `Quiver embedded, ${label}`, base: quiver.base, headers: { ...quiver.auth, accept: 'text/html' }, projects: PROJECTS, pid: quiver.pid });
  }
  const rows = await measureAlternating(targets, { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS });
  console.log(`\n## A/B: ${baseline} vs ${root}, ${PROJECTS.toLocaleString('en')} projects × ${FILES} files\n`);
  console.log(table(['instance', 'files', 'load (s)', 'files/s'], loads));
  console.log('');
  console.log(
    table(
      ['instance', 'req/s (mean of rounds)', 'rounds (req/s)', 'p50 (ms)', 'p99 (ms, worst round)', 'errors'],
      rows.map((row) => [row.label, row.rps.toFixed(0), row.rounds.map((r) => r.toFixed(0)).join(', '), row.p50, row.p99, row.errors]),
    ),
  );
  const [before, after] = rows;
  if (before && after) {
    console.log(`\nChange in req/s: ${(((after.rps - before.rps) / before.rps) * 100).toFixed(1)}% (by round: ${after.rounds.map((r, i) => `${(((r - (before.rounds[i] ?? r)) / (before.rounds[i] ?? r)) * 100).toFixed(1)}%`).join(', ')})`);
  }
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
