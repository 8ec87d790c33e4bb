#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { run } from './run.js';

/** `quiver`: the administration CLI, a thin client of the registry's admin API (see `quiver --help`). */
const result = await run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  readFile: (path) => readFile(path, 'utf8'),
  readStdin: () => text(process.stdin),
  stdinIsTerminal: process.stdin.isTTY === true,
  stderrIsTerminal: process.stderr.isTTY === true,
  write: (stdout, stderr) => {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
  },
}).catch((error: unknown) => ({
  // A bug, not a refusal: say what broke, without a stack trace.
  code: 1,
  stdout: '',
  stderr: `quiver: unexpected error: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown'}\n`,
}));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
