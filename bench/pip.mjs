#!/usr/bin/env node
/**
 * The pip point alone (simple-index.mjs runs it as part of the whole table): `pip download` of
 * `--pip-projects` projects from Quiver embedded and from nginx serving the same pages, metadata
 * files and wheels statically, alternating, `--rounds` times each (median reported).
 *
 *   node_modules/.bin/node bench/pip.mjs [--pip-projects 50] [--files 5] [--rounds 5]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, buildCorpus, exportStatic, freePort, harnessPython, log, nginxServing, pipComparison, projectName, scratchDir, startQuiverEmbedded, stopAll, uploadCorpus, waitFor } from './lib.mjs';

const PIP_PROJECTS = arg('pip-projects', 50);
const FILES = arg('files', 5);
const ROUNDS = arg('rounds', 5);
const work = scratchDir(tmpdir(), 'quiver-bench-pip-');

try {
  const pythonBin = await harnessPython(work);
  const corpus = buildCorpus(join(work, 'packages'), PIP_PROJECTS, FILES);
  const quiver = await startQuiverEmbedded(join(work, 'embedded'));
  const seconds = await uploadCorpus(`${quiver.base}/legacy/`, quiver.auth, corpus);
  log(`${corpus.length} files loaded in ${seconds.toFixed(0)} s`);
  const staticDir = join(work, 'static');
  await exportStatic(quiver, staticDir, PIP_PROJECTS, PIP_PROJECTS);
  const port = await freePort();
  const nginx = nginxServing(work, staticDir, port);
  await waitFor(`http://127.0.0.1:${port}/simple/${projectName(0)}/`, nginx);

  console.log(await pipComparison(work, pythonBin, { quiver, nginx, nginxPort: port, projects: PIP_PROJECTS, rounds: ROUNDS }));
} finally {
  await stopAll();
}
