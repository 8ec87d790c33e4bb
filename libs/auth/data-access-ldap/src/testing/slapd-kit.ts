/**
 * Test-only helpers for the int specs that run `LdapDirectory` against the harness's real slapd
 * (test/harness/services/ldap.ts). The expected users, passwords and groups come from the fixture
 * file the harness wrote (QUIVER_TEST_LDAP_FIXTURE, described by ldap-fixture.ts); what slapd saw
 * is read from its stats log (QUIVER_TEST_LDAP_LOG). Never imported by production code.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'ldapts';
import { LdapDirectory } from '../ldap-directory.js';
import type { LdapDirectoryOptions } from '../ldap-options.js';

export interface FixtureUser {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
  readonly displayName: string;
  readonly mail: string;
  readonly groups: readonly string[];
  readonly entryUUID: string;
}

export interface Fixture {
  readonly baseDn: string;
  readonly userBaseDn: string;
  readonly groupBaseDn: string;
  readonly users: readonly FixtureUser[];
  readonly groups: readonly { readonly name: string; readonly dn: string }[];
}

/** An address the harness exported; missing means the suite was not started by the harness (it fails, never skips). */
export function harnessEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run the int suites through the test harness (--services ldap), which starts slapd and exports it.`);
  }
  return value;
}

export const fixture = (): Fixture => JSON.parse(readFileSync(harnessEnv('QUIVER_TEST_LDAP_FIXTURE'), 'utf8')) as Fixture;

export function fixtureUser(uid: string): FixtureUser {
  const found = fixture().users.filter((candidate) => candidate.uid === uid);
  assert.equal(found.length, 1, `fixture user ${uid}`);
  return found[0] as FixtureUser;
}

/** The user filter most specs use: written out, so slapd's log shows it verbatim. */
export const testUserFilter = '(&(objectClass=person)(uid={username}))';

/** Plain `ldap://` to the harness's slapd, with `testUserFilter`; `overrides` win. */
export function directoryOptions(overrides: Partial<LdapDirectoryOptions> = {}): LdapDirectoryOptions {
  const { userBaseDn, groupBaseDn } = fixture();
  return {
    url: harnessEnv('QUIVER_TEST_LDAP_URL'),
    bindDn: harnessEnv('QUIVER_TEST_LDAP_BIND_DN'),
    bindPassword: harnessEnv('QUIVER_TEST_LDAP_BIND_PASSWORD'),
    userBaseDn,
    groupBaseDn,
    userFilter: testUserFilter,
    timeoutMs: 5000,
    ...overrides,
  };
}

/** slapd logs assertion values normalized (case-folded for case-insensitive attributes) and hex in upper case. */
export const logHas = (log: string, text: string): boolean => log.toLowerCase().includes(text.toLowerCase());

export const bindLine = (dn: string): string => `BIND dn="${dn}"`;
/** How slapd logs a search with `testUserFilter` for an (already escaped) username. */
export const userFilterLine = (escapedUid: string): string => `filter="(&(objectClass=person)(uid=${escapedUid}))"`;

/** What slapd logged (its stats log: ACCEPT, STARTTLS, BIND dn=…, SRCH … filter=…), read from a byte offset. */
export const slapdLog = {
  offset: (): number => statSync(harnessEnv('QUIVER_TEST_LDAP_LOG')).size,
  since: (offset: number): string => readFileSync(harnessEnv('QUIVER_TEST_LDAP_LOG')).subarray(offset).toString('utf8'),
  /** Polls until `text` appears after `offset` (slapd writes its log as it works), failing after a deadline. */
  async waitFor(offset: number, text: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = slapdLog.since(offset);
      if (logHas(log, text)) {
        return log;
      }
      if (Date.now() > deadline) {
        assert.fail(`slapd log has no ${JSON.stringify(text)} after ${timeoutMs} ms; it has:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  },
};

let sentinelDirectory: LdapDirectory | undefined;

/**
 * Everything slapd logged because of `action`: a sentinel search with a unique filter runs after
 * it (on its own connections), and the log is read up to that search, without the sentinel's own
 * connection. Lets a test assert that something was NOT sent.
 */
export async function logOf(action: () => Promise<unknown>): Promise<string> {
  sentinelDirectory ??= new LdapDirectory(directoryOptions());
  const offset = slapdLog.offset();
  await action();
  const sentinel = `sentinel-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  assert.equal(await sentinelDirectory.findUser(sentinel), undefined);
  const log = await slapdLog.waitFor(offset, userFilterLine(sentinel));
  const lines = log.slice(0, log.toLowerCase().indexOf(userFilterLine(sentinel).toLowerCase())).split('\n');
  const sentinelConnection = / (conn=\d+) /.exec(lines.at(-1) ?? '')?.[1];
  assert.ok(sentinelConnection, log);
  return lines.filter((line) => !line.includes(`${sentinelConnection} `)).join('\n');
}

/** The log's lines grouped by slapd connection (`conn=1004`), in order. */
export function connectionsIn(log: string): Map<string, string[]> {
  const byConnection = new Map<string, string[]>();
  for (const line of log.split('\n')) {
    const connection = / (conn=\d+) /.exec(line)?.[1];
    if (connection) {
      byConnection.set(connection, [...(byConnection.get(connection) ?? []), line]);
    }
  }
  return byConnection;
}

/** A connection bound as slapd's root DN, for tests that change the directory (renames, referrals). */
export async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ url: harnessEnv('QUIVER_TEST_LDAP_URL'), timeout: 5000, connectTimeout: 5000 });
  try {
    await admin.bind(harnessEnv('QUIVER_TEST_LDAP_ADMIN_DN'), harnessEnv('QUIVER_TEST_LDAP_ADMIN_PASSWORD'));
    return await work(admin);
  } finally {
    await admin.unbind().catch(() => undefined);
  }
}

/** A loopback port that was free a moment ago and has nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(typeof address === 'object' && address);
  return address.port;
}

export interface SilentServer {
  readonly port: number;
  /** How many connections it accepted. */
  connections(): number;
  close(): Promise<void>;
}

/** A TCP server that accepts connections and never answers, like a stopped (SIGSTOP) directory or a referral target. */
export async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(typeof address === 'object' && address);
  return {
    port: address.port,
    connections: () => count,
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Closes the sentinel directory (call from the last `after` of a spec file). */
export async function closeKit(): Promise<void> {
  await sentinelDirectory?.close();
  sentinelDirectory = undefined;
}
