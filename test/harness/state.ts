import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './context.js';

/** What `infra:up` started, so `infra:down` can stop exactly those PIDs. */
export interface InfraState {
  readonly runDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly pids: readonly { readonly service: string; readonly pid: number }[];
}

const statePath = (): string => join(cacheRoot(), 'infra-state.json');

export const readState = (): InfraState | undefined =>
  existsSync(statePath()) ? (JSON.parse(readFileSync(statePath(), 'utf8')) as InfraState) : undefined;

export const writeState = (state: InfraState): void => writeFileSync(statePath(), `${JSON.stringify(state, null, 2)}\n`);

export const clearState = (): void => rmSync(statePath(), { force: true });

/** Where `infra:up` writes the services' addresses and credentials (mode 0600). */
export const infraEnvPath = (): string => join(cacheRoot(), 'infra.env');
