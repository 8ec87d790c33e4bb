#!/usr/bin/env node
/**
 * Project-page benchmark, side by side in one run: Quiver embedded, pypiserver (from PyPI, in a
 * throw-away virtualenv) and nginx serving the same simple pages as static files (the ceiling).
 * Builds a corpus of valid wheels, loads it through each server's own path, then hammers random
 * /simple/<project>/ pages with autocannon on loopback. Run after `npm run build`:
 *
 *   node_modules/.bin/node bench/simple-index.mjs [--projects 2000] [--files 5] [--connections 64] [--seconds 15]
 */
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildWheel } from '@quiver/shared-testing';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const PROJECTS = arg('projects', 2000);
const FILES = arg('files', 5);
const CONNECTIONS = arg('connections', 64);
const SECONDS = arg('seconds', 15);
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'quiver-bench-'));
const children = [];

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const start = (command, args, env = {}) => {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
};
async function waitFor(url, headers = {}) {
  for (let i = 0; i < 600; i += 1) {
    const ok = await fetch(url, { headers }).then((r) => r.status < 500, () => false);
    if (ok) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}
const name = (i) => `bench-${i}`;

async function load(target, headers, corpus) {
  const queue = [...corpus];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const form = new FormData();
      const fields = { ':action': 'file_upload', protocol_version: '1', name: item.project, version: item.version, metadata_version: '2.1', filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: item.sha256 };
      for (const [k, v] of Object.entries(fields)) {
        form.append(k, v);
      }
      form.append('content', new Blob([item.bytes]), item.filename);
      const r = await fetch(target, { method: 'POST', body: form, headers });
      if (r.status !== 200) {
        throw new Error(`upload ${item.filename}: ${r.status} ${await r.text()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function measure(label, base, headers) {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: `/simple/${name(Math.floor(Math.random() * PROJECTS))}/` }) }],
  });
  return { label, rps: Math.round(result.requests.average), p99: result.latency.p99, errors: result.errors + result.non2xx };
}

try {
  console.error(`building ${PROJECTS} projects × ${FILES} wheels`);
  const corpus = [];
  const pkgDir = join(work, 'packages');
  mkdirSync(pkgDir);
  for (let p = 0; p < PROJECTS; p += 1) {
    for (let f = 1; f <= FILES; f += 1) {
      const wheel = buildWheel(name(p), `1.0.${f}`);
      writeFileSync(join(pkgDir, wheel.filename), wheel.bytes);
      corpus.push({ project: name(p), version: `1.0.${f}`, filename: wheel.filename, bytes: wheel.bytes, sha256: createHash('sha256').update(wheel.bytes).digest('hex') });
    }
  }

  // Quiver embedded, loaded through its upload API.
  const qPort = await freePort();
  const dataDir = join(work, 'quiver');
  start(process.execPath, [join(root, 'apps/embedded/dist/main.js')], { QUIVER_PORT: String(qPort), QUIVER_DATA_DIR: dataDir, QUIVER_LOG_LEVEL: 'warn' });
  await waitFor(`http://127.0.0.1:${qPort}/-/index/health`);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const auth = { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` };
  const began = Date.now();
  await load(`http://127.0.0.1:${qPort}/legacy/`, auth, corpus);
  console.error(`loaded ${corpus.length} files into Quiver in ${((Date.now() - began) / 1000).toFixed(1)} s`);

  // nginx: the same HTML pages as static files.
  const staticDir = join(work, 'static');
  for (let p = 0; p < PROJECTS; p += 1) {
    const html = await (await fetch(`http://127.0.0.1:${qPort}/simple/${name(p)}/`, { headers: { ...auth, accept: 'text/html' } })).text();
    mkdirSync(join(staticDir, 'simple', name(p)), { recursive: true });
    writeFileSync(join(staticDir, 'simple', name(p), 'index.html'), html);
  }
  const nPort = await freePort();
  const nDir = join(work, 'nginx');
  mkdirSync(nDir);
  writeFileSync(join(nDir, 'nginx.conf'), `daemon off; worker_processes 1; user root; pid ${nDir}/pid; error_log ${nDir}/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${nDir}; proxy_temp_path ${nDir}; keepalive_requests 100000;
  server { listen 127.0.0.1:${nPort}; root ${staticDir}; location /simple/ { index index.html; default_type text/html; } } }\n`);
  start('/usr/sbin/nginx', ['-e', join(nDir, 'error.log'), '-c', join(nDir, 'nginx.conf')]);
  await waitFor(`http://127.0.0.1:${nPort}/simple/${name(0)}/`);

  // pypiserver from PyPI in a throw-away virtualenv, serving the same wheels.
  const venv = join(process.env.QUIVER_CACHE_DIR ?? join(homedir(), '.cache', 'quiver'), 'bench-pypiserver');
  if (!existsSync(join(venv, 'bin', 'pypi-server'))) {
    execFileSync('python3', ['-m', 'venv', venv]);
    execFileSync(join(venv, 'bin', 'pip'), ['install', '-q', 'pypiserver==2.4.2', 'waitress'], { stdio: 'inherit' });
  }
  const pPort = await freePort();
  start(join(venv, 'bin', 'pypi-server'), ['run', '-p', String(pPort), '-i', '127.0.0.1', '-a', '.', '-P', '.', '--server', 'auto', pkgDir]);
  await waitFor(`http://127.0.0.1:${pPort}/simple/${name(0)}/`);

  const rows = [];
  rows.push(await measure('nginx static (ceiling)', `http://127.0.0.1:${nPort}`, {}));
  rows.push(await measure('Quiver embedded', `http://127.0.0.1:${qPort}`, { ...auth, accept: 'text/html' }));
  rows.push(await measure('pypiserver 2.4.2 (waitress via --server auto)', `http://127.0.0.1:${pPort}`, {}));
  const ceiling = rows[0].rps;
  console.log(`\n${PROJECTS} projects × ${FILES} files, ${CONNECTIONS} connections, ${SECONDS} s each, random project pages\n`);
  console.log('| server | req/s | p99 (ms) | errors | vs nginx |\n|---|---|---|---|---|');
  for (const row of rows) {
    console.log(`| ${row.label} | ${row.rps} | ${row.p99} | ${row.errors} | ${((row.rps / ceiling) * 100).toFixed(0)}% |`);
  }
} finally {
  for (const child of children) {
    child.kill('SIGTERM');
  }
  await new Promise((r) => setTimeout(r, 1000));
  rmSync(work, { recursive: true, force: true });
}
