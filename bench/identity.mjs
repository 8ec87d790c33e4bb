#!/usr/bin/env node
/**
 * Issue 11's benchmark (identity), side by side in one run on this machine (run `npm run build` first):
 *
 *   node_modules/.bin/node bench/identity.mjs [--projects 200] [--files 2] [--tokens 2000] [--connections 64]
 *                                             [--latency-connections 1] [--seconds 15] [--latency-seconds 60]
 *                                             [--rounds 3] [--calls 100000]
 *                                             [--down-seconds 30] [--down-connections 8] [--pip-projects 10] [--no-pin]
 *
 * 1. What verifying a token adds to a project page. Quiver embedded with the harness's slapd as its
 *    directory, `--tokens` CI tokens issued through the admin API, and a personal token for the
 *    fixture user alice (signed in with her directory password). Random `/simple/<project>/` pages
 *    with: the bootstrap administrator's token (the guard and a constant-time compare, no lookup),
 *    an issued CI token (the same, plus the verified-token cache, the per-request expiry, address
 *    and use checks and the last-use record), alice's token, alice's password; the public
 *    `/-/index/health` as the floor of the HTTP stack.
 *    - Rates: each credential its own load at `--connections`, in `--rounds` alternating rounds
 *      (`--seconds` split between them).
 *    - Paired latencies: at `--latency-connections` (no queueing) and at `--connections`, loads in
 *      which every request carries one of the credentials at random (`--latency-seconds` split into
 *      `--rounds`), so machine noise falls on all of them alike; each response timed to the
 *      microsecond; the added p99 is the issued token's p99 minus the admin token's, per round.
 *    - The verification alone, in this process, with the server stopped: `AccessControl.authenticateToken`
 *      and the whole `AccessGuard.canActivate`, `--calls` calls each, against the index's own PGlite
 *      access projection the run filled (and uncached: what a cache miss costs).
 * 2. Basic username-and-password reads: the same pages with `Authorization: Basic alice:<password>`
 *    (checked with the directory once, then from the index's salted-hash cache) against alice's
 *    token: the rates above.
 * 3. The index without the auth service: Quiver distributed (every service twice behind nginx, on
 *    the harness's Postgres, Kafka and S3, the same slapd), `--pip-projects` projects published, a
 *    CI token issued; paired latencies through the front door (admin against CI token: a replica
 *    reads the shared projection's version before reusing a cached verification); then both auth
 *    replicas are stopped (SIGTERM) and for `--down-seconds` pages
 *    are loaded with the token at `--down-connections` while `pip download` runs again and again,
 *    every failure counted; then what needs the auth service is probed: a password the index has
 *    not verified (503 expected), one it has (its cache), a token issued with a use limit (503
 *    expected: its uses are counted by the auth service); last, the verification in this process on
 *    the index's Postgres projection.
 * Machine state: nginx serving the same pages as static files is measured before and after the
 * embedded measurements (the machine's speed, and its drift during the run), and the load average
 * is reported; other agents may share this machine.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alone,
  arg,
  basic,
  buildCorpus,
  exportStatic,
  freePort,
  harnessLdap,
  harnessPython,
  log,
  measureMixed,
  measurePages,
  median,
  nginxServing,
  pipDownload,
  projectName,
  root,
  scratchDir,
  startQuiverDistributed,
  startQuiverEmbedded,
  stop,
  stopAll,
  table,
  uploadCorpus,
  waitFor,
} from './lib.mjs';

const PROJECTS = arg('projects', 200);
const FILES = arg('files', 2);
const TOKENS = arg('tokens', 2000);
const CONNECTIONS = arg('connections', 64);
const LATENCY_CONNECTIONS = arg('latency-connections', 1);
const SECONDS = arg('seconds', 15);
const LATENCY_SECONDS = arg('latency-seconds', 60);
const ROUNDS = arg('rounds', 3);
const CALLS = arg('calls', 100_000);
const DOWN_SECONDS = arg('down-seconds', 30);
const DOWN_CONNECTIONS = arg('down-connections', 8);
const PIP_PROJECTS = arg('pip-projects', 10);

const work = scratchDir(tmpdir(), 'quiver-bench-identity-');
const report = [];
const out = (line) => {
  report.push(line);
  console.log(line);
};
const bearer = (token) => basic('__token__', token);
const ms = (micros) => (micros === null || micros === undefined ? '—' : (micros / 1000).toFixed(3));
const machine = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;

/** A JSON call to the admin API; anything but `expected` aborts the run. */
async function api(base, method, path, headers, body, expected) {
  const response = await fetch(`${base}${path}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : undefined;
}

const grant = (quiver, principal) => api(quiver.base, 'PUT', `/api/auth/principals/${encodeURIComponent(principal)}/grants/reader/*`, quiver.auth, undefined, 204);
const issue = async (quiver, principal, request = { kind: 'ci' }) => (await api(quiver.base, 'POST', `/api/auth/principals/${encodeURIComponent(principal)}/tokens`, quiver.auth, request, 201)).token;
const signIn = (quiver, user) => api(quiver.base, 'POST', '/api/auth/login', basic(user.uid, user.password), undefined, 201);

/** The status of one request (the body read and dropped), and the problem code of an error answer. */
async function status(base, path, headers) {
  const response = await fetch(`${base}${path}`, { headers: { accept: 'text/html', ...headers } });
  const body = await response.text();
  let code;
  if (response.status >= 400) {
    try {
      code = JSON.parse(body).code;
    } catch {
      code = undefined;
    }
  }
  return { status: response.status, code };
}

/** Polls until `path` answers 200 with `headers` (a token reaches every projection through the bus). */
async function until200(base, path, headers, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status: got } = await status(base, path, headers);
    if (got === 200) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${path} still answers ${got} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `issue` `count` times, `concurrency` at a time; returns the secrets. */
async function issueMany(quiver, principal, count, concurrency = 8) {
  const secrets = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      secrets.push(await issue(quiver, principal));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return secrets;
}

// ---------------------------------------------------------------------------------------------
// Parts 1 and 2: Quiver embedded, with the harness's slapd as its directory.

/**
 * Each variant measured at `connections`: a warm-up each (3 s of random pages, thousands of
 * requests over a few hundred pages: every page rendered and cached, every credential verified),
 * then `ROUNDS` alternating rounds, each alone on its core.
 */
async function measureVariants(quiver, variants, connections) {
  const perRound = Math.max(1, Math.round(SECONDS / ROUNDS));
  for (const variant of variants) {
    await alone(quiver.pid, () =>
      measurePages(`${variant.label} @${connections} (warm-up)`, quiver.base, variant.headers, PROJECTS, { connections, seconds: 1, ...(variant.path ? { path: variant.path } : {}) }),
    );
  }
  const runs = variants.map(() => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [i, variant] of variants.entries()) {
      runs[i].push(
        await alone(quiver.pid, () =>
          measurePages(`${variant.label} @${connections}, round ${round + 1}`, quiver.base, variant.headers, PROJECTS, {
            connections,
            seconds: perRound,
            warmup: 0,
            precise: true,
            ...(variant.path ? { path: variant.path } : {}),
          }),
        ),
      );
    }
  }
  return variants.map((variant, i) => {
    const list = runs[i];
    return {
      key: variant.key,
      label: variant.label,
      rps: Math.round(list.reduce((sum, run) => sum + run.rps, 0) / list.length),
      rounds: list.map((run) => run.rps),
      p50: median(list.map((run) => run.latency.p50)),
      p99: median(list.map((run) => run.latency.p99)),
      p99Rounds: list.map((run) => run.latency.p99),
      p999: median(list.map((run) => run.latency.p999)),
      errors: list.reduce((sum, run) => sum + run.errors, 0),
      statusCodes: list.map((run) => run.statusCodeStats),
    };
  });
}

/**
 * `ROUNDS` loads at `connections`, each request one of `variants` at random (`measureMixed`), after
 * one warm-up; per variant: p50, p99 and p99.9 of each round, and per round its p99 minus the admin
 * token's (the paired difference).
 */
async function measureMixedRounds(quiver, variants, connections) {
  const perRound = Math.max(1, Math.round(LATENCY_SECONDS / ROUNDS));
  const rounds = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.push(await alone(quiver.pid, () => measureMixed(`mixed @${connections}, round ${round + 1}`, quiver.base, variants, PROJECTS, { connections, seconds: perRound, warmup: round === 0 ? 3 : 0 })));
  }
  const admin = variants.findIndex((variant) => variant.key === 'admin');
  return variants.map((variant, i) => {
    const of = (round) => round.variants[i];
    return {
      key: variant.key,
      label: variant.label,
      count: rounds.reduce((sum, round) => sum + of(round).count, 0),
      non2xx: rounds.reduce((sum, round) => sum + of(round).non2xx, 0),
      p50: median(rounds.map((round) => of(round).latency.p50)),
      p99: median(rounds.map((round) => of(round).latency.p99)),
      p999: median(rounds.map((round) => of(round).latency.p999)),
      p99Rounds: rounds.map((round) => of(round).latency.p99),
      addedRounds: rounds.map((round) => of(round).latency.p99 - round.variants[admin].latency.p99),
      rps: rounds.map((round) => round.rps),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Part 1b: the verification itself, in this process, on the index's own access projection.

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** `calls` sequential awaited calls (after a discarded warm-up), each timed; every result must pass `ok`. */
async function timeCalls(label, calls, call, ok) {
  const warmup = Math.min(10_000, calls);
  for (let i = 0; i < warmup; i += 1) {
    await call(i);
  }
  const took = new Float64Array(calls);
  for (let i = 0; i < calls; i += 1) {
    const began = process.hrtime.bigint();
    const result = await call(i);
    took[i] = Number(process.hrtime.bigint() - began) / 1000;
    if (!ok(result)) {
      throw new Error(`${label}: call ${i} did not authenticate: ${JSON.stringify(result)}`);
    }
  }
  took.sort();
  const mean = took.reduce((sum, x) => sum + x, 0) / calls;
  const row = { label, calls, p50: percentile(took, 0.5), p99: percentile(took, 0.99), p999: percentile(took, 0.999), max: took[calls - 1], mean };
  log(`${label}: p50 ${row.p50.toFixed(1)} µs, p99 ${row.p99.toFixed(1)} µs, p99.9 ${row.p999.toFixed(1)} µs, max ${row.max.toFixed(0)} µs`);
  return row;
}

async function microBenchmark(indexDbDir, { adminToken, ciTokens, alice, aliceToken, aliceGroups }) {
  const { PgliteDatabase } = await import('@quiver/shared-data-access-db');
  const { InProcessEventBus } = await import('@quiver/shared-data-access-bus');
  const { AccessControl, AccessGuard, Authenticated, TokenUseRecorder } = await import('@quiver/shared-feature-access');
  const { hashApiToken } = await import('@quiver/shared-util-tokens');
  const { Reflector } = await import('@nestjs/core');
  const db = await PgliteDatabase.open({ dataDir: indexDbDir });
  try {
    const { rows } = await db.query('SELECT count(*)::int AS tokens FROM access_tokens');
    const projectionTokens = rows[0].tokens;
    // The embedded composition's settings (QUIVER_ACCESS_CACHE_SECONDS 10, QUIVER_LDAP_CACHE_SECONDS
    // 300, QUIVER_LDAP_GRACE_SECONDS 3600), with a last-use recorder as the index has. The password
    // checker answers alice's first check here (the auth service would ask slapd): only the cached
    // path is timed.
    const recorder = new TokenUseRecorder('index', new InProcessEventBus());
    const passwords = { check: async () => ({ ok: true, principal: alice.principal, groups: aliceGroups }) };
    const options = (cacheTtlMs) => ({
      bootstrapAdminSha256: hashApiToken(adminToken),
      cacheTtlMs,
      passwords,
      passwordCacheMs: 300_000,
      directoryGraceMs: 3_600_000,
      onUse: (use) => recorder.record(use),
    });
    const access = new AccessControl(db, options(10_000));
    const cold = new AccessControl(db, options(0));
    // The guard as Nest runs it on a project page: the route's metadata read by a real Reflector,
    // the Authorization header parsed, the caller put on the request.
    const guard = new AccessGuard(new Reflector(), access);
    class ProjectPage {
      page() {}
    }
    Authenticated({ credentials: 'token-or-password' })(ProjectPage);
    const context = (authorization) => {
      const request = { headers: { authorization }, ip: '127.0.0.1' };
      return { getHandler: () => ProjectPage.prototype.page, getClass: () => ProjectPage, switchToHttp: () => ({ getRequest: () => request }) };
    };
    const header = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const ci = ciTokens[0];
    const okAuth = (result) => result.ok === true;
    const okTrue = (result) => result === true;
    const rowsOut = [];
    rowsOut.push(await timeCalls('authenticateToken: bootstrap admin token (constant-time compare, no lookup)', CALLS, () => access.authenticateToken(adminToken, '127.0.0.1'), okAuth));
    rowsOut.push(await timeCalls('authenticateToken: one issued CI token (cached)', CALLS, () => access.authenticateToken(ci, '127.0.0.1'), okAuth));
    rowsOut.push(await timeCalls(`authenticateToken: ${ciTokens.length.toLocaleString('en')} issued CI tokens in turn (all cached)`, CALLS, (i) => access.authenticateToken(ciTokens[i % ciTokens.length], '127.0.0.1'), okAuth));
    rowsOut.push(await timeCalls("authenticateToken: alice's personal token (directory user, cached)", CALLS, () => access.authenticateToken(aliceToken, '127.0.0.1'), okAuth));
    rowsOut.push(await timeCalls("authenticatePassword: alice's password (cached salted HMAC)", CALLS, () => access.authenticatePassword(alice.uid, alice.password, '127.0.0.1'), okAuth));
    const adminHeader = header('__token__', adminToken);
    const ciHeader = header('__token__', ci);
    const aliceHeader = header(alice.uid, alice.password);
    rowsOut.push(await timeCalls('AccessGuard.canActivate: bootstrap admin token', CALLS, () => guard.canActivate(context(adminHeader)), okTrue));
    rowsOut.push(await timeCalls('AccessGuard.canActivate: issued CI token (cached)', CALLS, () => guard.canActivate(context(ciHeader)), okTrue));
    rowsOut.push(await timeCalls("AccessGuard.canActivate: alice's password (cached)", CALLS, () => guard.canActivate(context(aliceHeader)), okTrue));
    const uncachedCalls = Math.max(1, Math.round(CALLS / 20));
    rowsOut.push(
      await timeCalls(`authenticateToken: issued CI tokens in turn, uncached (QUIVER_ACCESS_CACHE_SECONDS=0: the projection lookup)`, uncachedCalls, (i) => cold.authenticateToken(ciTokens[i % ciTokens.length], '127.0.0.1'), okAuth),
    );
    rowsOut.push(await timeCalls("authenticateToken: alice's personal token, uncached (token, directory standing and group grants read)", uncachedCalls, () => cold.authenticateToken(aliceToken, '127.0.0.1'), okAuth));
    return { rows: rowsOut, projectionTokens };
  } finally {
    await db.close();
  }
}

/**
 * The same verification on a distributed index replica's projection (the harness's Postgres,
 * schema quiver_index), from this process: replicas share that projection, so a cached
 * verification is reused only after reading the projection's version, once per event-loop turn
 * (`sharedProjection`); without that read, the cache alone (as embedded); and uncached.
 */
async function distributedVerification(ciToken, adminToken) {
  const { PgDatabase } = await import('@quiver/shared-data-access-db');
  const { AccessControl } = await import('@quiver/shared-feature-access');
  const { hashApiToken } = await import('@quiver/shared-util-tokens');
  const db = new PgDatabase({ connectionString: process.env.QUIVER_TEST_PG_URL, schema: 'quiver_index', applicationName: 'quiver-bench' });
  try {
    const options = (sharedProjection, cacheTtlMs) => ({ bootstrapAdminSha256: hashApiToken(adminToken), cacheTtlMs, sharedProjection, directoryGraceMs: 3_600_000 });
    const shared = new AccessControl(db, options(true, 10_000));
    const cacheOnly = new AccessControl(db, options(false, 10_000));
    const cold = new AccessControl(db, options(true, 0));
    const calls = Math.max(1, Math.round(CALLS / 10));
    const okAuth = (result) => result.ok === true;
    return [
      await timeCalls('Postgres projection: issued CI token, cached, with the version read (each call its own event-loop turn)', calls, () => shared.authenticateToken(ciToken, '127.0.0.1'), okAuth),
      await timeCalls('Postgres projection: issued CI token, cached, without the version read (as embedded)', calls, () => cacheOnly.authenticateToken(ciToken, '127.0.0.1'), okAuth),
      await timeCalls('Postgres projection: issued CI token, uncached (the projection lookup)', Math.max(1, Math.round(calls / 2)), () => cold.authenticateToken(ciToken, '127.0.0.1'), okAuth),
    ];
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Part 3: the index while the auth service is stopped (distributed mode).

async function withoutAuth(corpus, pythonBin, ldapSettings, alice, carol) {
  const distributed = await startQuiverDistributed(join(work, 'distributed'), ldapSettings);
  try {
    // carol's password is right (the auth service says so), and no index replica will have seen it.
    // Checked first: her first check makes her a principal, identity events that make every index
    // replica drop what it cached (alice's password too, were it cached already).
    const carolChecked = await fetch(`${distributed.base}/-/auth/passwords`, { method: 'POST', headers: basic(carol.uid, carol.password) });
    await carolChecked.text();
    const published = corpus.filter((item) => Number(item.project.slice('bench-'.length)) < PIP_PROJECTS);
    await uploadCorpus(`${distributed.base}/legacy/`, distributed.auth, published, 4);
    const quiver = { base: distributed.base, auth: distributed.auth };
    await grant(quiver, 'ci-bench');
    await grant(quiver, 'group:developers');
    await grant(quiver, 'group:uploaders');
    const token = await issue(quiver, 'ci-bench');
    const limited = await issue(quiver, 'ci-bench', { kind: 'ci', uses: 1000 });
    const page = `/simple/${projectName(0)}/`;
    await until200(distributed.base, page, bearer(token));
    await until200(distributed.base, page, bearer(limited));
    // Paired latencies through the front door: the admin token skips the projection (and its version read) entirely.
    const distributedPaired = [];
    for (const connections of [LATENCY_CONNECTIONS, CONNECTIONS]) {
      const variants = [
        { key: 'health', label: 'public `/-/index/health`', headers: {}, path: '/-/index/health' },
        { key: 'admin', label: 'page, bootstrap admin token (no lookup, no version read)', headers: { ...distributed.auth, accept: 'text/html' } },
        { key: 'ci', label: 'page, issued CI token (version read, cached verification)', headers: { ...bearer(token), accept: 'text/html' } },
      ];
      distributedPaired.push({ connections, result: await measureMixed(`distributed, mixed @${connections}`, distributed.base, variants, PIP_PROJECTS, { connections, seconds: Math.max(1, Math.round(LATENCY_SECONDS / 3)) }) });
    }
    const names = Array.from({ length: PIP_PROJECTS }, (_, i) => projectName(i));
    const indexUrl = `http://__token__:${token}@${distributed.base.slice('http://'.length)}/simple/`;
    const pipBefore = pipDownload(work, pythonBin, indexUrl, names);
    // alice's password verified by each index replica (nginx alternates between them), so cached
    // there, just before the stop (an identity event, such as an auth replica's directory re-read
    // every half QUIVER_LDAP_CACHE_SECONDS, makes the replicas drop it).
    const aliceSeen = [];
    for (let i = 0; i < 10; i += 1) {
      aliceSeen.push((await status(distributed.base, page, basic(alice.uid, alice.password))).status);
    }

    log('stopping both auth replicas (SIGTERM)');
    const exits = [await distributed.stopInstance('auth-1'), await distributed.stopInstance('auth-2')];
    const authHealth = await status(distributed.base, '/-/auth/health', {});

    log(`the index without the auth service: pages and pip download for ${DOWN_SECONDS} s`);
    const deadline = Date.now() + DOWN_SECONDS * 1000;
    // The page load runs in its own process from here; pip runs meanwhile in this one.
    const pages = measurePages('pages with a CI token while auth is down', distributed.base, { ...bearer(token), accept: 'text/html' }, PIP_PROJECTS, {
      connections: DOWN_CONNECTIONS,
      seconds: DOWN_SECONDS,
      warmup: 0,
      precise: true,
    });
    const pip = { ok: 0, failed: 0, files: 0, seconds: [], lastError: '' };
    while (Date.now() < deadline) {
      try {
        pip.seconds.push(pipDownload(work, pythonBin, indexUrl, names));
        pip.ok += 1;
        pip.files += names.length;
      } catch (error) {
        pip.failed += 1;
        pip.lastError = error.message.slice(0, 500);
      }
    }
    const loaded = await pages;
    // Whatever failed, the front door's error log says where (an upstream reset, a timeout…).
    const frontDoor = loaded.errors > 0 ? distributed.diagnostics().split('\n').slice(0, 21).join('\n') : '';

    const probe = async (headers, times) => {
      const answers = [];
      for (let i = 0; i < times; i += 1) {
        answers.push(await status(distributed.base, page, headers));
      }
      return answers;
    };
    const probes = {
      carol: await probe(basic(carol.uid, carol.password), 6),
      alice: await probe(basic(alice.uid, alice.password), 6),
      limited: await probe(bearer(limited), 6),
      admin: await probe(distributed.auth, 2),
      token: await probe(bearer(token), 2),
    };
    log('timing the verification in this process, on the distributed index projection');
    const verification = await distributedVerification(token, distributed.token);
    return { exits, authHealth, aliceSeen, carolChecked: carolChecked.status, pipBefore, pip, loaded, frontDoor, probes, verification, distributedPaired };
  } catch (error) {
    log(`Quiver distributed failed: ${error.stack}\n${distributed.diagnostics()}`);
    throw error;
  } finally {
    await distributed.stop();
  }
}

// ---------------------------------------------------------------------------------------------

const countStatuses = (answers) =>
  Object.entries(
    answers.reduce((counts, answer) => {
      const key = answer.code ? `${answer.status} ${answer.code}` : String(answer.status);
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {}),
  )
    .map(([key, count]) => `${count}× ${key}`)
    .join(', ');

try {
  const startedAt = new Date();
  const loadBefore = machine();
  const pythonBin = await harnessPython(work);
  const ldap = await harnessLdap(work);
  const alice = ldap.user('alice');
  const carol = ldap.user('carol');
  const corpus = buildCorpus(join(work, 'packages'), PROJECTS, FILES);

  log('starting Quiver embedded with the harness directory');
  const quiver = await startQuiverEmbedded(join(work, 'embedded'), ldap.settings);
  await uploadCorpus(`${quiver.base}/legacy/`, quiver.auth, corpus);
  await grant(quiver, 'ci-bench');
  await grant(quiver, 'group:developers');
  const issuedAt = Date.now();
  const ciTokens = await issueMany(quiver, 'ci-bench', TOKENS);
  const issueSeconds = (Date.now() - issuedAt) / 1000;
  log(`${TOKENS} tokens issued in ${issueSeconds.toFixed(1)} s`);
  const aliceSignIn = await signIn(quiver, alice);
  const aliceToken = aliceSignIn.token;
  const page = `/simple/${projectName(0)}/`;
  for (const headers of [quiver.auth, bearer(ciTokens[0]), bearer(aliceToken), basic(alice.uid, alice.password)]) {
    await until200(quiver.base, page, headers, 10_000);
  }

  // The machine's speed: nginx serving the same pages as static files.
  const staticDir = join(work, 'static');
  await exportStatic(quiver, staticDir, PROJECTS, 0);
  const nginxPort = await freePort();
  const nginx = nginxServing(work, staticDir, nginxPort);
  await waitFor(`http://127.0.0.1:${nginxPort}${page}`, nginx);
  const nginxRun = () => alone(nginx.pid, () => measurePages('nginx, the same pages as static files', `http://127.0.0.1:${nginxPort}`, {}, PROJECTS, { connections: CONNECTIONS, seconds: 5, precise: true }));
  const nginxFirst = await nginxRun();

  const html = (headers) => ({ ...headers, accept: 'text/html' });
  const variants = [
    { key: 'health', label: 'public `/-/index/health` (no credentials, no page: the floor)', headers: {}, path: '/-/index/health' },
    { key: 'admin', label: 'page, bootstrap admin token (no lookup)', headers: html(quiver.auth) },
    { key: 'ci', label: 'page, issued CI token (cached verification)', headers: html(bearer(ciTokens[0])) },
    { key: 'aliceToken', label: "page, alice's personal token (directory user, cached)", headers: html(bearer(aliceToken)) },
    { key: 'alicePassword', label: 'page, Basic alice:<password> (cached after the first)', headers: html(basic(alice.uid, alice.password)) },
  ];
  log(`measuring the embedded registry at ${CONNECTIONS} connections`);
  const loaded = await measureVariants(quiver, variants, CONNECTIONS);
  const mixed = [];
  for (const connections of [LATENCY_CONNECTIONS, CONNECTIONS]) {
    log(`paired latencies at ${connections} connection(s): every credential in one load`);
    mixed.push({ connections, rounds: await measureMixedRounds(quiver, variants, connections) });
  }
  const nginxAgain = await nginxRun();
  await stop(nginx);
  await quiver.stop();

  log('timing the verification in this process, on the index projection the run filled');
  const micro = await microBenchmark(join(work, 'embedded', 'db', 'index'), {
    adminToken: quiver.token,
    ciTokens,
    alice: { ...alice, principal: aliceSignIn.principal },
    aliceToken,
    aliceGroups: alice.groups,
  });

  log('starting Quiver distributed (Postgres, Kafka, S3, slapd, 2× each service, nginx)');
  const down = await withoutAuth(corpus, pythonBin, ldap.settings, alice, carol);
  const loadAfter = machine();

  // The report.
  out(`\n## Identity: ${startedAt.toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}\n`);
  out(`Machine: ${loadBefore} at the start, ${loadAfter} at the end. nginx (static copies of the same pages, ${CONNECTIONS} connections): ${nginxFirst.rps.toLocaleString('en')} req/s before the embedded measurements, ${nginxAgain.rps.toLocaleString('en')} after (${((nginxAgain.rps / nginxFirst.rps) * 100).toFixed(1)}%).`);
  out(`Corpus: ${PROJECTS} projects × ${FILES} wheels; ${TOKENS.toLocaleString('en')} CI tokens issued through the admin API in ${issueSeconds.toFixed(1)} s (${micro.projectionTokens.toLocaleString('en')} tokens in the index's projection).`);
  const perRound = Math.max(1, Math.round(SECONDS / ROUNDS));
  out(`\n### Rates: Quiver embedded, random \`/simple/<project>/\`, ${CONNECTIONS} connections, each credential its own load, ${ROUNDS} alternating rounds of ${perRound} s\n`);
  out(
    table(
      ['request', 'req/s (mean of rounds)', 'rounds (req/s)', 'p50 (ms)', 'p99 (ms)', 'errors'],
      loaded.map((r) => [r.label, r.rps.toLocaleString('en'), r.rounds.map((x) => x.toLocaleString('en')).join(', '), ms(r.p50), ms(r.p99), r.errors]),
    ),
  );
  for (const { connections, rounds: rows } of mixed) {
    out(`\n### Paired latencies: ${connections} connection(s), every request one of the credentials at random, ${ROUNDS} rounds of ${Math.max(1, Math.round(LATENCY_SECONDS / ROUNDS))} s (${rows[0].rps.map((x) => x.toLocaleString('en')).join(', ')} req/s in all)\n`);
    out(
      table(
        ['request', 'requests', 'p50 (ms)', 'p99 (ms)', 'p99 by round (ms)', 'p99.9 (ms)', 'p99 − admin token, by round (ms)', 'non-2xx'],
        rows.map((r) => [
          r.label,
          r.count.toLocaleString('en'),
          ms(r.p50),
          ms(r.p99),
          r.p99Rounds.map(ms).join(', '),
          ms(r.p999),
          r.key === 'health' || r.key === 'admin' ? '' : r.addedRounds.map(ms).join(', '),
          r.non2xx,
        ]),
      ),
    );
  }
  out(`\nLatencies: each 2xx response's own time as the load generator saw it, to the microsecond (autocannon's own percentiles are whole milliseconds); the median round's percentile.`);
  out(`\n### The verification alone, in-process (${CALLS.toLocaleString('en')} sequential calls each, after 10,000 discarded)\n`);
  out(table(['call', 'calls', 'p50 (µs)', 'p99 (µs)', 'p99.9 (µs)', 'max (µs)', 'mean (µs)'], micro.rows.map((r) => [r.label, r.calls.toLocaleString('en'), r.p50.toFixed(1), r.p99.toFixed(1), r.p999.toFixed(1), r.max.toFixed(0), r.mean.toFixed(1)])));

  const find = (rows, key) => rows.find((r) => r.key === key);
  const tokenRate = find(loaded, 'aliceToken').rps;
  const passwordRate = find(loaded, 'alicePassword').rps;
  out(`\n### The index while both auth replicas are stopped (distributed, front door nginx → 2 index replicas)\n`);
  out(`- Auth replicas stopped with SIGTERM: exit codes ${down.exits.join(', ')}; \`/-/auth/health\` through the front door then: ${down.authHealth.status}.`);
  out(`- Before the stop: \`pip download\` of ${PIP_PROJECTS} projects with the CI token ${down.pipBefore.toFixed(2)} s; alice's password on the page ${countStatuses(down.aliceSeen.map((s) => ({ status: s })))} (both index replicas); carol's password at \`POST /-/auth/passwords\`: ${down.carolChecked}.`);
  out(`- For ${DOWN_SECONDS} s: pages with the CI token at ${DOWN_CONNECTIONS} connections: ${down.loaded.total.toLocaleString('en')} requests, ${down.loaded.rps.toLocaleString('en')} req/s, p99 ${ms(down.loaded.latency?.p99)} ms, status codes ${JSON.stringify(down.loaded.statusCodeStats)}, errors ${down.loaded.errors}${down.loaded.errors > 0 ? ` (${JSON.stringify(down.loaded.errorCodes)})` : ''}; meanwhile \`pip download\` of ${PIP_PROJECTS} projects ${down.pip.ok} times without a failure${down.pip.failed ? ` — **${down.pip.failed} failed**: ${down.pip.lastError}` : ''} (${down.pip.files} files, median ${down.pip.seconds.length ? median(down.pip.seconds).toFixed(2) : '—'} s).`);
  if (down.frontDoor) {
    out(`\n\`\`\`\n${down.frontDoor}\n\`\`\`\n`);
  }
  out(`- Then: carol's password (right, never seen by the index): ${countStatuses(down.probes.carol)}; alice's password (verified before the stop): ${countStatuses(down.probes.alice)}; a token issued with a use limit: ${countStatuses(down.probes.limited)}; the CI token: ${countStatuses(down.probes.token)}; the bootstrap admin token: ${countStatuses(down.probes.admin)}.`);

  for (const { connections, result } of down.distributedPaired) {
    const admin = result.variants.find((v) => v.key === 'admin');
    out(`\n### Quiver distributed, paired latencies through the front door (auth running): ${connections} connection(s), ${Math.max(1, Math.round(LATENCY_SECONDS / 3))} s, ${result.rps.toLocaleString('en')} req/s in all\n`);
    out(table(['request', 'requests', 'p50 (ms)', 'p99 (ms)', 'p99.9 (ms)', 'p99 − admin token (ms)', 'non-2xx'], result.variants.map((v) => [v.label, v.count.toLocaleString('en'), ms(v.latency.p50), ms(v.latency.p99), ms(v.latency.p999), v.key === 'ci' ? ms(v.latency.p99 - admin.latency.p99) : '', v.non2xx])));
  }
  out(`\n### The verification on a distributed index's projection (Postgres), in-process\n`);
  out(table(['call', 'calls', 'p50 (µs)', 'p99 (µs)', 'p99.9 (µs)', 'max (µs)', 'mean (µs)'], down.verification.map((r) => [r.label, r.calls.toLocaleString('en'), r.p50.toFixed(1), r.p99.toFixed(1), r.p999.toFixed(1), r.max.toFixed(0), r.mean.toFixed(1)])));

  const ciMicro = micro.rows.find((r) => r.label.startsWith('AccessGuard.canActivate: issued'));
  // The paired difference, issued − admin token p99, median over the rounds, at each load.
  const added = mixed.map(({ connections, rounds: rows }) => ({ connections, micros: median(find(rows, 'ci').addedRounds) }));
  const downOk = down.loaded.errors === 0 && down.pip.failed === 0 && down.pip.ok > 0;
  out(`\n| bar (issue 11, Done-when 4) | this run | |`);
  out(`|---|---|---|`);
  out(`| token verification adds < 1 ms at p99 | in-process guard with an issued token p99 ${ciMicro.p99.toFixed(1)} µs; end to end (paired), issued − admin token p99 ${added.map((a) => `${ms(a.micros)} ms at ${a.connections}`).join(', ')} connection(s) | ${ciMicro.p99 < 1000 && added.every((a) => a.micros < 1000) ? 'met' : '**not met**'} |`);
  out(`| Basic password reads (cached) ≥ 0.5 × token reads | ${passwordRate.toLocaleString('en')} vs ${tokenRate.toLocaleString('en')} req/s (${(passwordRate / tokenRate).toFixed(2)}×) at ${CONNECTIONS} connections | ${passwordRate >= 0.5 * tokenRate ? 'met' : '**not met**'} |`);
  out(`| index serves installs with the auth service stopped | ${down.loaded.total.toLocaleString('en')} page requests (${down.loaded.errors} failed), ${down.pip.ok} \`pip download\` runs (${down.pip.failed} failed) | ${downOk ? 'met' : '**not met**'} |`);
  writeFileSync(join(root, 'bench', 'last-run.md'), `${report.join('\n')}\n`);
} finally {
  await stopAll();
}
