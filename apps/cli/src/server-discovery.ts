import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/**
 * Finds the registry and the token the way the server was started: `QUIVER_URL`, else
 * `QUIVER_HOST`/`QUIVER_PORT`; `QUIVER_TOKEN`, else `QUIVER_TOKEN_FILE`, else the embedded
 * registry's `<QUIVER_DATA_DIR>/admin-token`. Pure but for the file read it is given.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** An http(s) base URL without credentials (the token goes in a header, never a URL). */
export function baseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('Expected a URL such as http://127.0.0.1:8080.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('Expected an http or https URL.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('A URL with credentials is not accepted: set QUIVER_TOKEN instead.');
  }
  return url;
}

/** The URL as messages show it: scheme, host, port and path, nothing else. */
export const displayUrl = (url: URL): string => `${url.origin}${url.pathname.replace(/\/+$/, '')}`;

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

export function serverUrl(env: Environment, override: URL | undefined): Found<URL> {
  if (override !== undefined) {
    return { ok: true, value: override };
  }
  const configured = env['QUIVER_URL'];
  if (configured !== undefined && configured !== '') {
    try {
      return { ok: true, value: baseUrl(configured) };
    } catch (error) {
      return { ok: false, message: `QUIVER_URL is not usable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const port = env['QUIVER_PORT'] ?? '8080';
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65_535) {
    return { ok: false, message: `QUIVER_PORT must be a TCP port, not '${port.slice(0, 20)}'.` };
  }
  if (Number(port) === 0) {
    return { ok: false, message: "QUIVER_PORT is 0: the server picked a free port. Set QUIVER_URL (or --url) to the address its log line names." };
  }
  const host = env['QUIVER_HOST'] ?? '';
  const name = WILDCARDS.has(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    return { ok: true, value: baseUrl(`http://${name}:${port}`) };
  } catch {
    return { ok: false, message: `QUIVER_HOST is not a host name or address: '${host.slice(0, 60)}'.` };
  }
}

export interface Token {
  readonly value: string;
  /** Where it came from, for messages (never the token itself). */
  readonly source: string;
}

/** Whether a file could not be read because it is not there. */
const missing = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ENOENT';

export async function findToken(env: Environment, cwd: string, read: (path: string) => Promise<string>): Promise<Found<Token>> {
  const given = env['QUIVER_TOKEN'];
  if (given !== undefined && given !== '') {
    return checked(given.trim(), 'QUIVER_TOKEN');
  }
  const fromSetting = env['QUIVER_TOKEN_FILE'] !== undefined && env['QUIVER_TOKEN_FILE'] !== '';
  const path = resolve(cwd, fromSetting ? (env['QUIVER_TOKEN_FILE'] ?? '') : `${env['QUIVER_DATA_DIR'] ?? './.quiver'}/admin-token`);
  let content: string;
  try {
    content = await read(path);
  } catch (error) {
    if (missing(error)) {
      const how = fromSetting
        ? 'Point QUIVER_TOKEN_FILE at a file holding a token'
        : "The embedded registry creates it on its first start: run quiver where 'npm start' ran, or set QUIVER_DATA_DIR to the data directory it used";
      return { ok: false, message: `no token: ${path} does not exist. ${how}; or set QUIVER_TOKEN; or get a personal token with 'quiver login'.` };
    }
    const code = (error as { code?: unknown } | null)?.code;
    return { ok: false, message: `no token: cannot read ${path} (${typeof code === 'string' ? code : 'unreadable'}).` };
  }
  return checked(content.trim(), path);
}

function checked(token: string, source: string): Found<Token> {
  if (token === '') {
    return { ok: false, message: `no token: ${source} is empty.` };
  }
  // A token is printable ASCII without spaces; anything else would only fail later, in a header.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    return { ok: false, message: `the token in ${source} has characters a token cannot have (is it the right file?).` };
  }
  return { ok: true, value: { value: token, source } };
}
