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
 *   { ..., precise: true }                       also each 2xx response's time, to the microsecond
 *   { ..., variants: [{ headers, path? }, …] }   each request one of the variants, at random (implies precise)
 *   { ..., paths: ['/files/…', …] }              each request one of these paths, at random (instead of `path`)
 *
 * autocannon's own percentiles are whole milliseconds (its histogram's smallest unit); with
 * `precise`, `latency` carries p50/p99/p99.9 in microseconds from every 2xx response's own time.
 * With `variants`, requests of every variant share the connections and the time (machine noise
 * falls on all of them alike), and `variants` in the result gives each one's count, non-2xx count
 * and latency.
 */
import autocannon from 'autocannon';

const { url, connections, headers, projects, path, paths, duration, amount, variants, precise = variants !== undefined } = JSON.parse(process.env.QUIVER_BENCH_LOAD ?? '{}');
let next = 0;
const pick = amount === undefined ? () => Math.floor(Math.random() * projects) : () => next++ % projects;
const kinds = variants ?? [{ headers: {} }];
const times = kinds.map(() => []);
const non2xx = kinds.map(() => 0);
// The variant of the response being recorded: the request's own onResponse (which knows it from
// its connection's context) runs just before autocannon's 'response' event (which has the time).
let answering = 0;
const run = autocannon({
  url,
  connections,
  headers,
  ...(amount === undefined ? { duration } : { amount }),
  requests: [
    {
      setupRequest: (request, context) => {
        const kind = variants === undefined ? 0 : Math.floor(Math.random() * kinds.length);
        context.kind = kind;
        const chosen = paths === undefined ? (kinds[kind].path ?? path).replace('%d', String(pick())) : paths[Math.floor(Math.random() * paths.length)];
        return variants === undefined ? { ...request, path: chosen } : { ...request, path: chosen, headers: { ...request.headers, ...kinds[kind].headers } };
      },
      ...(variants === undefined
        ? {}
        : {
            onResponse: (_status, _body, context) => {
              answering = context.kind;
            },
          }),
    },
  ],
});
// What the socket errors were (ECONNRESET, a timeout…): autocannon counts them only.
const errorCodes = {};
run.on('reqError', (error) => {
  const code = error?.code ?? error?.message ?? 'unknown';
  errorCodes[code] = (errorCodes[code] ?? 0) + 1;
});
if (precise) {
  run.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) {
      times[answering].push(ms);
    } else {
      non2xx[answering] += 1;
    }
  });
}
const result = await run;
const latency = (list) => {
  const sorted = Float64Array.from(list).sort();
  const micros = (q) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000));
  return { p50: micros(0.5), p99: micros(0.99), p999: micros(0.999) };
};
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
    errorCodes,
    ...(precise ? { latency: latency(times.flat()) } : {}),
    ...(variants ? { variants: kinds.map((_, i) => ({ count: times[i].length, non2xx: non2xx[i], latency: latency(times[i]) })) } : {}),
  }),
);
