#!/usr/bin/env node
/**
 * One load-generator run, in a process of its own: the benchmark starts a fresh one per
 * measurement (lib.mjs `measurePages`), so what the benchmark process has accumulated by its late
 * phases (corpora, upload clients, an older and larger heap) cannot pace or stall the measured
 * rates and latencies. The options come as JSON in QUIVER_BENCH_LOAD (not argv: they carry a
 * token); the result goes to stdout as JSON.
 *
 *   { url, connections, headers, projects, path: '/simple/bench-%d/', duration }  random pages for `duration` s
 *   { ..., amount }                                                              every page once, in order
 */
import autocannon from 'autocannon';

const { url, connections, headers, projects, path, duration, amount } = JSON.parse(process.env.QUIVER_BENCH_LOAD ?? '{}');
let next = 0;
const pick = amount === undefined ? () => Math.floor(Math.random() * projects) : () => next++ % projects;
const result = await autocannon({
  url,
  connections,
  headers,
  ...(amount === undefined ? { duration } : { amount }),
  requests: [{ setupRequest: (request) => ({ ...request, path: path.replace('%d', String(pick())) }) }],
});
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    seconds: (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    statusCodeStats: result.statusCodeStats,
  }),
);
