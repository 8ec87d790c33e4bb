#!/usr/bin/env node
/**
 * Issue 12's benchmark: what auditing costs the read path, A/B in one run (run `npm run build` in
 * both checkouts first):
 *
 *   node_modules/.bin/node bench/audit.mjs --baseline <checkout without auditing>
 *       [--projects 200] [--files 2] [--connections 16] [--seconds 30] [--rounds 3] [--no-pin]
 *
 * A: Quiver embedded from `--baseline` (a checkout of a commit before the audit log: no access
 *    facts, no journal, no audit writer). B: Quiver embedded from this checkout (auditing on: every
 *    download journaled before it is answered, shipped over the in-process bus and appended to the
 *    hash-chained log in the same process; page reads counted). Both get the same `--projects` ×
 *    `--files` wheels through the upload API. Then, in `--rounds` rounds (A and B in turn, the order
 *    swapped every round, each `alone` on the server core with the other paused):
 *    - project pages: random `/simple/<project>/` with the administrator's token;
 *    - file downloads: random wheels (`/files/…`), the same token.
 * Reported: mean req/s and worst p99 per kind and instance, B's gap to A (the bar: within 10%).
 * Then the log is checked: B must hold exactly one `file.download` entry per download it answered
 * (every 2xx of every download load, warm-ups included), counted through `GET /api/audit`, and
 * `GET /api/audit/verify` must pass; the time the log took to catch up after the last load is
 * reported (a writer slower than the door would show here, not in the rates).
 */
import { loadavg, tmpdir } from 'node:os';
import { URLSearchParams } from 'node:url';
import { join } from 'node:path';
import { alone, arg, buildCorpus, log, measurePages, projectName, root, scratchDir, startQuiverEmbedded, stopAll, table, uploadCorpus } from './lib.mjs';

const baselineIndex = process.argv.indexOf('--baseline');
const BASELINE = baselineIndex > 0 ? process.argv[baselineIndex + 1] : undefined;
const PROJECTS = arg('projects', 200);
const FILES = arg('files', 2);
const CONNECTIONS = arg('connections', 16);
const SECONDS = arg('seconds', 30);
const ROUNDS = arg('rounds', 3);
if (!BASELINE) {
  process.stderr.write('usage: bench/audit.mjs --baseline <checkout of a commit without auditing, built> [--projects N] [--files N] [--connections N] [--seconds N] [--rounds N]\n');
  process.exit(2);
}

const work = scratchDir(tmpdir(), 'quiver-bench-audit-');
const out = (line = '') => process.stdout.write(`${line}\n`);
const JSON_PAGE = { accept: 'application/vnd.pypi.simple.v1+json' };

/** Every file's path on `target`, from its PEP 691 project pages. */
async function filePaths(target) {
  const paths = [];
  for (let p = 0; p < PROJECTS; p += 1) {
    const page = `${target.base}/simple/${projectName(p)}/`;
    const response = await fetch(page, { headers: { ...target.auth, ...JSON_PAGE } });
    if (response.status !== 200) {
      throw new Error(`${page}: ${response.status}`);
    }
    const body = await response.json();
    for (const file of body.files) {
      paths.push(new URL(file.url, page).pathname);
    }
  }
  return paths;
}

/** How many `file.download` entries the log holds, paging through `GET /api/audit`. */
async function loggedDownloads(target) {
  let count = 0;
  let after;
  for (;;) {
    const query = new URLSearchParams({ action: 'file.download', limit: '1000', ...(after ? { after } : {}) });
    const response = await fetch(`${target.base}/api/audit?${query}`, { headers: target.auth });
    if (response.status !== 200) {
      throw new Error(`GET /api/audit: ${response.status} ${await response.text()}`);
    }
    const body = await response.json();
    count += body.entries.length;
    if (!body.next) {
      return count;
    }
    after = body.next;
  }
}

try {
  const corpus = buildCorpus(join(work, 'corpus'), PROJECTS, FILES);
  const targets = [];
  for (const [label, checkout] of [
    ['A: auditing off (baseline)', BASELINE],
    ['B: auditing on', root],
  ]) {
    const quiver = await startQuiverEmbedded(join(work, label.startsWith('A') ? 'a' : 'b'), {}, checkout);
    await uploadCorpus(`${quiver.base}/legacy/`, quiver.auth, corpus);
    targets.push({ label, ...quiver, headers: quiver.auth, paths: await filePaths(quiver) });
    log(`${label}: ${corpus.length} files uploaded, ${targets.at(-1).paths.length} file paths`);
  }
  const [a, b] = targets;
  const results = new Map(targets.map((target) => [target, { pages: [], files: [], answeredFiles: 0 }]));
  for (const target of targets) {
    // A pass over every page and a warm-up of each kind before the measured rounds.
    await alone(target.pid, () => measurePages(`${target.label}: every page once`, target.base, target.headers, PROJECTS, { connections: CONNECTIONS, seconds: 1, everyPage: true }));
    const warm = await alone(target.pid, () => measurePages(`${target.label}: downloads warm-up`, target.base, target.headers, PROJECTS, { connections: CONNECTIONS, seconds: 3, warmup: 0, paths: target.paths }));
    results.get(target).answeredFiles += warm.answered;
  }
  const seconds = Math.max(1, Math.round(SECONDS / ROUNDS));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const target of round % 2 === 0 ? [a, b] : [b, a]) {
      const into = results.get(target);
      into.pages.push(await alone(target.pid, () => measurePages(`${target.label}, pages, round ${round + 1}`, target.base, target.headers, PROJECTS, { connections: CONNECTIONS, seconds, warmup: 1 })));
      const files = await alone(target.pid, () => measurePages(`${target.label}, downloads, round ${round + 1}`, target.base, target.headers, PROJECTS, { connections: CONNECTIONS, seconds, warmup: 1, paths: target.paths }));
      into.files.push(files);
      into.answeredFiles += files.answered;
    }
  }
  const lastLoad = Date.now();
  // The log catches up: B's count of file.download entries until it reaches what B answered (or stops moving).
  const expected = results.get(b).answeredFiles;
  let logged = 0;
  let caughtUpMs;
  const deadline = Date.now() + 300_000;
  let stillSince = Date.now();
  while (Date.now() < deadline) {
    const now = await loggedDownloads(b);
    if (now >= expected) {
      logged = now;
      caughtUpMs = Date.now() - lastLoad;
      break;
    }
    if (now !== logged) {
      logged = now;
      stillSince = Date.now();
    } else if (Date.now() - stillSince > 30_000) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const verify = await (await fetch(`${b.base}/api/audit/verify`, { headers: b.auth })).json();

  const mean = (runs) => Math.round(runs.reduce((sum, run) => sum + run.rps, 0) / runs.length);
  const worstP99 = (runs) => Math.max(...runs.map((run) => run.p99));
  const errors = (runs) => runs.reduce((sum, run) => sum + run.errors, 0);
  const gap = (kind) => (mean(results.get(b)[kind]) - mean(results.get(a)[kind])) / mean(results.get(a)[kind]);
  out(`## Auditing on vs off (bench/audit.mjs), ${new Date().toISOString()}`);
  out();
  out(`${PROJECTS} projects × ${FILES} wheels; ${CONNECTIONS} connections; ${ROUNDS} rounds of ${seconds} s per kind and instance, A and B in turn; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  out();
  out(
    table(
      ['kind', 'A req/s (off)', 'B req/s (on)', 'B vs A', 'A p99 ms', 'B p99 ms', 'A rounds', 'B rounds', 'errors A/B'],
      ['pages', 'files'].map((kind) => [
        kind === 'pages' ? 'project pages' : 'file downloads',
        mean(results.get(a)[kind]).toLocaleString('en'),
        mean(results.get(b)[kind]).toLocaleString('en'),
        `${(gap(kind) * 100).toFixed(1)}%`,
        worstP99(results.get(a)[kind]),
        worstP99(results.get(b)[kind]),
        results.get(a)[kind].map((run) => run.rps).join(' / '),
        results.get(b)[kind].map((run) => run.rps).join(' / '),
        `${errors(results.get(a)[kind])}/${errors(results.get(b)[kind])}`,
      ]),
    ),
  );
  out();
  out(`- The log: B answered ${expected.toLocaleString('en')} downloads (2xx, warm-ups included); the log holds ${logged.toLocaleString('en')} \`file.download\` entries${caughtUpMs === undefined ? ' — **it did not catch up**' : `, caught up ${(caughtUpMs / 1000).toFixed(1)} s after the last load`}. Entries beyond the count are requests answered after the load generator stopped counting (at most one per connection per load).`);
  out(`- \`GET /api/audit/verify\`: ${JSON.stringify(verify)}`);
  // A download answered after its load's generator stopped counting is logged but not counted: at most one per connection per load.
  const downloadLoads = 1 + ROUNDS * 2;
  const atMost = expected + CONNECTIONS * downloadLoads;
  out(`- At most ${atMost.toLocaleString('en')} entries are possible without a download logged twice (${downloadLoads} download loads × ${CONNECTIONS} connections in flight at their ends): ${logged <= atMost ? 'held' : '**exceeded**'}.`);
  const met = ['pages', 'files'].every((kind) => gap(kind) >= -0.1) && caughtUpMs !== undefined && logged >= expected && logged <= atMost && verify.ok === true;
  out(`- Bar (issue 12, Done-when 5: within 10%; one entry per download; the chain verifies): **${met ? 'met' : 'not met'}**.`);
} finally {
  await stopAll();
}
