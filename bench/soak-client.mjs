#!/usr/bin/env node
/**
 * The soak's readers, in a process of their own (forked by soak.mjs, which it talks to over IPC),
 * so the driver's own work (uploads, sampling, the list of every acknowledged file) never paces
 * them. `connections` loops, each doing what pip does to install one requirement: the project page
 * (PEP 503 HTML or PEP 691 JSON, half each), then for one of its files the PEP 658 `.metadata` (for
 * a wheel) and the file itself, whose sha256 is checked. A share of requests ask for what does not
 * exist (a project, a file) and must get 404.
 *
 * Messages in: {type:'start', base, authorization, connections, notFoundShare}, {type:'files', files},
 * {type:'stats'} (answered with the counters since the last one), {type:'stop'}.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const SMALL_FILE_BYTES = 1024 * 1024; // what the index's small-file cache may hold per file
const ENTRY_OVERHEAD_BYTES = 1024; // what it counts per file besides the bytes (small-file-cache.ts)
// What the page cache counts for a page with one body besides its bytes (page-cache.ts: 512 a page,
// 640 a body); a page held in both formats counts the page's share twice here: an upper bound.
const PAGE_OVERHEAD_BYTES = 512 + 640;

/** project → its acknowledged files ({filename, sha256, kind}); `names` for random picks. */
const projects = new Map();
const names = [];
let config;
let agent;
let running = false;
let loops = [];

const fresh = () => ({ requests: 0, pages: 0, metadata: 0, files: 0, notFound: 0, errors: 0, latencyMs: 0, bytes: 0, samples: [] });
let counters = fresh();
/** Upper bounds of what the index's caches can hold: distinct bodies this process received. */
const pageBytes = new Map();
const fileBytes = new Map();

function get(path, headers = {}) {
  return new Promise((resolve) => {
    const began = performance.now();
    const req = request(`${config.base}${path}`, { agent, headers: { authorization: config.authorization, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - began }));
      res.on('error', (error) => resolve({ status: 0, error, ms: performance.now() - began }));
    });
    req.on('error', (error) => resolve({ status: 0, error, ms: performance.now() - began }));
    req.end();
  });
}

function count(kind, result, expected, check = () => true) {
  counters.requests += 1;
  counters.latencyMs += result.ms;
  counters.bytes += result.body?.length ?? 0;
  if (result.status === expected && check(result.body)) {
    counters[kind] += 1;
    return true;
  }
  counters.errors += 1;
  if (counters.samples.length < 5) {
    counters.samples.push(`${kind}: ${result.status} ${result.error?.message ?? result.body?.subarray(0, 120).toString() ?? ''}`);
  }
  return false;
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];
/** Half the installs go to the most-read tenth of the projects (the oldest), the rest anywhere. */
const pickProject = () => (Math.random() < 0.5 ? names[Math.floor(Math.random() * Math.max(1, Math.ceil(names.length / 10)))] : pick(names));

async function install() {
  const project = pickProject();
  const json = Math.random() < 0.5;
  const page = await get(`/simple/${project}/`, { accept: json ? JSON_TYPE : 'text/html' });
  if (!count('pages', page, 200)) {
    return;
  }
  pageBytes.set(`${project}/${json ? 'j' : 'h'}`, page.body.length + PAGE_OVERHEAD_BYTES);
  const file = pick(projects.get(project));
  const url = `/files/${file.sha256}/${encodeURIComponent(file.filename)}`;
  if (file.kind === 'wheel') {
    const metadata = await get(`${url}.metadata`);
    if (count('metadata', metadata, 200)) {
      fileBytes.set(`${file.sha256}.metadata`, metadata.body.length + ENTRY_OVERHEAD_BYTES);
    }
  }
  const body = await get(url);
  if (count('files', body, 200, (bytes) => createHash('sha256').update(bytes).digest('hex') === file.sha256) && body.body.length <= SMALL_FILE_BYTES) {
    fileBytes.set(file.sha256, body.body.length + ENTRY_OVERHEAD_BYTES);
  }
}

async function missing() {
  if (Math.random() < 0.5) {
    count('notFound', await get(`/simple/no-such-project-${randomBytes(6).toString('hex')}/`), 404);
  } else {
    count('notFound', await get(`/files/${randomBytes(32).toString('hex')}/nothing-1.0-py3-none-any.whl`), 404);
  }
}

async function loop() {
  while (running) {
    await (Math.random() < config.notFoundShare ? missing() : install());
  }
}

const sum = (map) => [...map.values()].reduce((total, value) => total + value, 0);

process.on('message', (message) => {
  switch (message.type) {
    case 'start':
      config = message;
      agent = new Agent({ keepAlive: true, maxSockets: config.connections });
      running = true;
      loops = Array.from({ length: config.connections }, loop);
      break;
    case 'files':
      for (const file of message.files) {
        if (!projects.has(file.project)) {
          projects.set(file.project, []);
          names.push(file.project);
        }
        projects.get(file.project).push(file);
      }
      break;
    case 'stats':
      process.send({ type: 'stats', ...counters, pageCacheBound: sum(pageBytes), fileCacheBound: sum(fileBytes) });
      counters = fresh();
      break;
    case 'stop':
      running = false;
      void Promise.all(loops).then(() => {
        agent.destroy();
        process.send({ type: 'stopped' }, () => process.exit(0));
      });
      break;
    default:
      break;
  }
});
