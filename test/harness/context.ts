import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloads and installs are cached across runs, outside the repository. */
export const cacheRoot = (): string =>
  process.env['QUIVER_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'quiver');

export class HarnessContext {
  readonly cacheDir: string;

  constructor(
    /** This run's scratch directory: service data and logs live here and are removed at the end. */
    readonly runDir: string,
    private readonly detached = false,
  ) {
    this.cacheDir = cacheRoot();
    mkdirSync(this.cacheDir, { recursive: true });
    mkdirSync(this.runDir, { recursive: true });
  }

  log(service: string, message: string): void {
    process.stderr.write(`[harness:${service}] ${message}\n`);
  }

  /** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
  freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    });
  }

  /**
   * Starts a long-running process whose stdout and stderr go to `<runDir>/<name>.log`.
   * With `infra:up` the process is detached so it outlives the harness command.
   */
  spawnDaemon(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const logPath = this.logPath(name);
    const fd = openSync(logPath, 'a');
    const child = spawn(command, args, { ...options, stdio: ['ignore', fd, fd], detached: this.detached });
    if (this.detached) {
      child.unref();
    }
    if (child.pid === undefined) {
      throw new Error(`Could not start ${name} (${command}); see ${logPath}`);
    }
    return child;
  }

  logPath(name: string): string {
    return join(this.runDir, `${name}.log`);
  }

  /** Runs a command to completion; rejects with its output when it exits non-zero. */
  run(command: string, args: readonly string[], options: SpawnOptions & { readonly input?: string } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { ...options, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) {
          resolve(output);
        } else {
          reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${output.slice(-4000)}`));
        }
      });
      if (options.input !== undefined) {
        child.stdin?.on('error', () => undefined); // the exit code tells what happened
        child.stdin?.end(options.input);
      }
    });
  }

  /** Like `run`, with the output appended to `<runDir>/<name>.log` instead of kept in memory. */
  runLogged(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Promise<void> {
    const out = createWriteStream(this.logPath(name), { flags: 'a' });
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.pipe(out, { end: false });
      child.stderr?.pipe(out, { end: false });
      child.on('error', reject);
      child.on('close', (code) => {
        out.end();
        if (code === 0) {
          resolve();
        } else {
          reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}; see ${this.logPath(name)}`));
        }
      });
    });
  }

  /** Polls `probe` until it returns true, failing loudly with `what` and the log's tail after `timeoutMs`. */
  async waitFor(what: string, probe: () => Promise<boolean>, options: { timeoutMs: number; child?: ChildProcess; logName?: string }): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    let lastError: unknown;
    let delay = 50;
    while (Date.now() < deadline) {
      if (options.child && options.child.exitCode !== null) {
        throw new Error(`${what}: the process exited with ${String(options.child.exitCode)}.${await this.logTail(options.logName)}`);
      }
      try {
        if (await probe()) {
          return;
        }
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
    }
    const cause = lastError instanceof Error ? ` Last error: ${lastError.message}` : '';
    throw new Error(`${what}: not ready after ${options.timeoutMs} ms.${cause}${await this.logTail(options.logName)}`);
  }

  private async logTail(name: string | undefined): Promise<string> {
    if (!name) {
      return '';
    }
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(this.logPath(name), 'utf8').catch(() => '');
    return `\n--- last lines of ${this.logPath(name)} ---\n${text.split('\n').slice(-40).join('\n')}`;
  }
}

/** True when this process can install system packages (root on Debian). */
export const isRoot = (): boolean => process.getuid?.() === 0;

/** Installs Debian packages whose given `probe` binaries are missing, without starting their system services. */
export async function ensureDebianPackages(ctx: HarnessContext, packages: readonly string[], probes: readonly string[]): Promise<void> {
  const { existsSync, writeFileSync, rmSync } = await import('node:fs');
  if (probes.every((path) => existsSync(path))) {
    return;
  }
  if (!isRoot()) {
    throw new Error(`Missing ${probes.join(', ')}: install the Debian packages ${packages.join(' ')} (needs root).`);
  }
  ctx.log('apt', `installing ${packages.join(' ')}`);
  // Keep dpkg from starting system-wide daemons (we run our own instances on free ports).
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await ctx.runLogged('apt', 'apt-get', ['update'], { env });
    await ctx.runLogged('apt', 'apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
  } finally {
    if (ownPolicy) {
      rmSync(policy, { force: true });
    }
  }
}
