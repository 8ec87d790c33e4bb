import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Started {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
}

/** Whether the process has ended, by exiting or by a signal (SIGKILL leaves `exitCode` null). */
export const exited = (started: Started): boolean => started.child.exitCode !== null || started.child.signalCode !== null;

export function startProcess(command: string, args: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Started {
  let text = '';
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

/** Polls `url` until it answers 200, failing with the process output if it exits or the deadline passes. */
export async function waitForHttp(url: string, started: Started, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(started)) {
      throw new Error(`process exited with ${started.child.exitCode ?? started.child.signalCode} before ${url} answered:\n${started.output()}`);
    }
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) {
      return response;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${started.output()}`);
}

/** Sends SIGTERM and resolves with the exit code (SIGKILL after the deadline, which fails the caller's assertion). */
export async function stopProcess(started: Started, timeoutMs = 20_000): Promise<number | null> {
  if (exited(started)) {
    return started.child.exitCode; // null when a signal ended it
  }
  const gone = once(started.child, 'exit');
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const [code] = (await gone) as [number | null];
  clearTimeout(timer);
  return code;
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
