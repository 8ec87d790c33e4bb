#!/usr/bin/env node
/**
 * `quiver` as npm links it (node_modules/.bin/quiver, so `npx quiver …` in a checkout). It runs the
 * built CLI (dist/main.js) on a Node its libraries (commander, undici) support, 22.19 or later: this Node
 * when it is one, else the project's own Node 24 (the `node` dev dependency), so a system Node 20
 * starts it too. Plain JavaScript, committed, so npm can link it before anything is built.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', 'dist', 'main.js');
const projectNode = join(here, '..', '..', '..', 'node_modules', 'node', 'bin', 'node');
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (!existsSync(main)) {
  process.stderr.write(`quiver: the CLI is not built: run 'npm run build' in ${join(here, '..', '..', '..')}\n`);
  process.exitCode = 2;
} else if (major > 22 || (major === 22 && minor >= 19)) {
  await import(pathToFileURL(main).href);
} else if (!existsSync(projectNode)) {
  process.stderr.write(`quiver: needs Node 22.19 or later (this is ${process.versions.node}); 'npm ci' in the checkout installs the project's Node 24.\n`);
  process.exitCode = 2;
} else {
  const child = spawn(projectNode, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
  });
  child.on('error', (error) => {
    process.stderr.write(`quiver: cannot start ${projectNode}: ${error.message}\n`);
    process.exitCode = 2;
  });
}
