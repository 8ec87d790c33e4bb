import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The checkout's root (this file runs from test/dist/e2e/support). */
const root = join(import.meta.dirname, '..', '..', '..', '..');

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A run's exit code and output, for assertion messages. */
export const show = (ran: Ran): string => `exit ${ran.code}\n--- stdout\n${ran.stdout}--- stderr\n${ran.stderr}`;

/** The environment without any QUIVER_* setting of the caller's, plus `env`. */
export function environment(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('QUIVER_')));
  return { ...clean, ...env };
}

/** Runs `command args` to its end, collecting standard output and error apart; `input` is written to its standard input. */
export function execute(command: string, args: readonly string[], env: Readonly<Record<string, string>>, cwd = root, input?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: environment(env), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input);
  });
}
