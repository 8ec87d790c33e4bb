#!/usr/bin/env node
/**
 * The scale point alone (simple-index.mjs runs it as part of the whole table): two Quiver embedded
 * instances with `--projects` and `--scale-projects` projects of `--scale-files` wheels each,
 * loaded through the upload API; each gets one pass over every page, then the two are measured in
 * turn for `--scale-rounds` rounds (`--seconds` split between them).
 *
 *   node_modules/.bin/node bench/scale.mjs [--projects 2000] [--scale-projects 20000] [--scale-files 2] [--scale-rounds 3]
 *                                          [--connections 64] [--seconds 15] [--no-pin]
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, buildCorpus, log, measureAlternating, memoryOf, scratchDir, startQuiverEmbedded, stopAll, table, uploadCorpus } from './lib.mjs';

const PROJECTS = arg('projects', 2000);
const SCALE_PROJECTS = arg('scale-projects', 20_000);
const SCALE_FILES = arg('scale-files', 2);
const SCALE_ROUNDS = arg('scale-rounds', 3);
const CONNECTIONS = arg('connections', 64);
const SECONDS = arg('seconds', 15);
const work = scratchDir(tmpdir(), 'quiver-bench-scale-');

try {
  const corpus = buildCorpus(join(work, 'packages'), SCALE_PROJECTS, SCALE_FILES);
  rmSync(join(work, 'packages'), { recursive: true, force: true });
  const targets = [];
  for (const projects of [PROJECTS, SCALE_PROJECTS]) {
    const quiver = await startQuiverEmbedded(join(work, `quiver-${projects}`));
    const files = corpus.filter((item) => Number(item.project.slice('bench-'.length)) < projects);
    const seconds = await uploadCorpus(`${quiver.base}/legacy/`, quiver.auth, files, 16);
    log(`${files.length} files loaded in ${seconds.toFixed(0)} s`);
    targets.push({ label: `Quiver embedded, ${projects.toLocaleString('en')} projects`, base: quiver.base, headers: { ...quiver.auth, accept: 'text/html' }, projects, pid: quiver.pid });
  }
  const rows = await measureAlternating(targets, { connections: CONNECTIONS, seconds: SECONDS, rounds: SCALE_ROUNDS });
  const [before, after] = rows;
  console.log(`\n## Scale: ${PROJECTS.toLocaleString('en')} vs ${SCALE_PROJECTS.toLocaleString('en')} projects (× ${SCALE_FILES} files each), ${CONNECTIONS} connections, ${SCALE_ROUNDS} alternating rounds\n`);
  console.log(
    table(
      ['instance', 'req/s (mean of rounds)', 'rounds (req/s)', 'p50 (ms)', 'p99 (ms, worst round)', 'errors', 'first pass over every page', 'RSS after (MiB)'],
      rows.map((r, i) => [r.label, r.rps.toLocaleString('en'), r.rounds.map((x) => x.toLocaleString('en')).join(', '), r.p50, r.p99, r.errors, `${r.coldPass.seconds.toFixed(1)} s (${Math.round(r.projects / r.coldPass.seconds)} pages/s)`, Math.round(memoryOf(targets[i].pid).current / 2 ** 20)]),
    ),
  );
  console.log(`\nChange: ${(((after.rps - before.rps) / before.rps) * 100).toFixed(1)}%.`);
} finally {
  await stopAll();
}
