/**
 * LdapDirectory against the harness's real slapd (test/harness/services/ldap.ts). The expected
 * users, passwords and groups come from the fixture file the harness wrote
 * (QUIVER_TEST_LDAP_FIXTURE, described by test/harness/services/ldap-fixture.ts); what slapd saw
 * is read from its stats log (QUIVER_TEST_LDAP_LOG). Case numbers refer to RELIABILITY.md §(d).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DirectoryUnavailableError, type DirectoryUser } from '@quiver/shared-ports';
import { requireEnv, uniqueName } from '@quiver/shared-testing';
import { LdapDirectory, type LdapDirectoryOptions } from './index.js';

interface FixtureUser {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
  readonly displayName: string;
  readonly mail: string;
  readonly groups: readonly string[];
  readonly entryUUID: string;
}

interface Fixture {
  readonly userBaseDn: string;
  readonly groupBaseDn: string;
  readonly users: readonly FixtureUser[];
  readonly groups: readonly { readonly name: string; readonly dn: string }[];
}

const fixture = (): Fixture => JSON.parse(readFileSync(requireEnv('QUIVER_TEST_LDAP_FIXTURE'), 'utf8')) as Fixture;

function user(uid: string): FixtureUser {
  const found = fixture().users.filter((candidate) => candidate.uid === uid);
  assert.equal(found.length, 1, `fixture user ${uid}`);
  return found[0] as FixtureUser;
}

function options(overrides: Partial<LdapDirectoryOptions> = {}): LdapDirectoryOptions {
  const { userBaseDn, groupBaseDn } = fixture();
  return {
    url: requireEnv('QUIVER_TEST_LDAP_URL'),
    bindDn: requireEnv('QUIVER_TEST_LDAP_BIND_DN'),
    bindPassword: requireEnv('QUIVER_TEST_LDAP_BIND_PASSWORD'),
    userBaseDn,
    groupBaseDn,
    timeoutMs: 5000,
    ...overrides,
  };
}

/** What slapd logged from `offset` on (its stats log: ACCEPT, BIND dn=…, SRCH … filter=…). */
const slapdLog = {
  offset: (): number => statSync(requireEnv('QUIVER_TEST_LDAP_LOG')).size,
  since: (offset: number): string => readFileSync(requireEnv('QUIVER_TEST_LDAP_LOG')).subarray(offset).toString('utf8'),
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

const bindLine = (dn: string): string => `BIND dn="${dn}"`;
/** slapd re-renders the filter it received, escaping with upper-case hex. */
const userFilterLine = (escapedUid: string): string => `filter="(&(objectClass=person)(uid=${escapedUid}))"`;

/**
 * Everything slapd logged because of `action`: a sentinel search with a unique filter runs after
 * it, and the log is read up to that search. Lets a test assert that something was NOT sent.
 */
async function logOf(directory: LdapDirectory, action: () => Promise<unknown>): Promise<string> {
  const offset = slapdLog.offset();
  await action();
  const sentinel = uniqueName('sentinel');
  assert.equal(await directory.findUser(sentinel), undefined);
  const log = await slapdLog.waitFor(offset, userFilterLine(sentinel));
  const lines = log.slice(0, log.indexOf(userFilterLine(sentinel))).split('\n');
  // The sentinel's own connection (ACCEPT, service bind, its search) is not part of the action.
  const sentinelConnection = / (conn=\d+) /.exec(lines.at(-1) ?? '')?.[1];
  assert.ok(sentinelConnection, log);
  return lines.filter((line) => !line.includes(`${sentinelConnection} `)).join('\n');
}

/** slapd logs assertion values normalized (case-folded for case-insensitive attributes) and hex in upper case. */
const logHas = (log: string, text: string): boolean => log.toLowerCase().includes(text.toLowerCase());

const groupNames = (found: DirectoryUser | undefined): string[] => (found?.groups.map((group) => group.name) ?? []).sort();

describe('LdapDirectory against slapd', () => {
  let directory: LdapDirectory;
  before(() => {
    directory = new LdapDirectory(options());
  });
  after(() => directory.close());

  describe('authenticate', () => {
    it('binds alice with her password and returns her entryUUID, attributes and groups', async () => {
      const alice = user('alice');
      const offset = slapdLog.offset();
      const found = await directory.authenticate('alice', alice.password);
      assert.ok(found, 'alice authenticates');
      assert.equal(found.id, alice.entryUUID);
      assert.equal(found.dn, alice.dn);
      assert.equal(found.username, 'alice');
      assert.equal(found.displayName, alice.displayName);
      assert.equal(found.email, alice.mail);
      assert.deepEqual(groupNames(found), [...alice.groups].sort());
      const developers = fixture().groups.find((group) => group.name === 'developers');
      assert.ok(found.groups.some((group) => group.dn === developers?.dn));
      // slapd saw the service-account bind, the escaped search and alice's own bind.
      const log = await slapdLog.waitFor(offset, bindLine(alice.dn));
      assert.ok(log.includes(bindLine(requireEnv('QUIVER_TEST_LDAP_BIND_DN'))), log);
      assert.ok(logHas(log, userFilterLine('alice')), log);
    });

    it('uses the password exactly as typed: spaces are part of it', async () => {
      const bob = user('bob');
      assert.equal((await directory.authenticate('bob', bob.password))?.id, bob.entryUUID);
      assert.equal(await directory.authenticate('bob', bob.password.trim()), undefined);
    });

    it('returns undefined for a wrong password', async () => {
      assert.equal(await directory.authenticate('alice', `${user('alice').password}x`), undefined);
      assert.equal(await directory.authenticate('alice', user('bob').password), undefined);
    });

    it('returns undefined for an unknown user, without binding as anyone but the service account', async () => {
      const log = await logOf(directory, async () => {
        assert.equal(await directory.authenticate('nobody-here', 'some-password'), undefined);
      });
      assert.ok(logHas(log, userFilterLine('nobody-here')), log);
      assert.equal(log.match(/BIND dn="uid=/g), null, log);
    });

    for (const [label, password] of [
      ['an empty password (L1)', ''],
      ['a password of spaces (L2)', '   '],
      ['a password of tabs and newlines (L2)', '\t\t\n'],
    ] as const) {
      it(`returns undefined for ${label} and sends no bind for the user`, async () => {
        const alice = user('alice');
        const log = await logOf(directory, async () => {
          assert.equal(await directory.authenticate('alice', password), undefined);
        });
        assert.ok(!log.includes(bindLine(alice.dn)), log);
        assert.ok(!logHas(log, userFilterLine('alice')), `not even a search:\n${log}`);
      });
    }

    for (const [username, escaped] of [
      ['*', '\\2A'],
      ['admin*', 'admin\\2A'],
      ['*)(uid=*))(|(uid=*', '\\2A\\29\\28uid=\\2A\\29\\29\\28|\\28uid=\\2A'],
      ['a\\', 'a\\5C'],
      ['a\\5c', 'a\\5C5c'],
      ['*)(objectClass=*', '\\2A\\29\\28objectClass=\\2A'],
    ] as const) {
      it(`treats the username ${JSON.stringify(username)} as a literal: slapd sees ${escaped} and nobody is bound (L3)`, async () => {
        const log = await logOf(directory, async () => {
          // alice's real password: a wildcard match would bind her.
          assert.equal(await directory.authenticate(username, user('alice').password), undefined);
        });
        assert.ok(logHas(log, userFilterLine(escaped)), log);
        assert.equal(log.match(/BIND dn="uid=/g), null, log);
      });
    }

    it('matches a username made of filter metacharacters literally', async () => {
      const orla = user('o*(reilly)');
      const offset = slapdLog.offset();
      const found = await directory.authenticate('o*(reilly)', orla.password);
      assert.equal(found?.id, orla.entryUUID);
      assert.equal(found.username, 'o*(reilly)');
      await slapdLog.waitFor(offset, userFilterLine('o\\2A\\28reilly\\29'));
    });

    it('refuses usernames with NUL, control or invisible characters before contacting slapd (L3, L16)', async () => {
      const log = await logOf(directory, async () => {
        for (const username of ['ali\0ce', 'alice\0', 'ali\u200bce', ' alice', 'alice ', 'al ice', 'alice\n']) {
          assert.equal(await directory.authenticate(username, user('alice').password), undefined, JSON.stringify(username));
        }
      });
      assert.ok(!log.includes('SRCH base='), `no search at all:\n${log}`);
      assert.ok(!log.includes('BIND dn='), `no bind at all:\n${log}`);
    });

    it('maps case and NFKC variants to the one directory identity (L11, L16)', async () => {
      const alice = user('alice');
      for (const variant of ['Alice', 'ALICE', 'ａｌｉｃｅ']) {
        const found = await directory.authenticate(variant, alice.password);
        assert.equal(found?.id, alice.entryUUID, variant);
        assert.equal(found.username, 'alice', 'the directory spelling');
      }
    });

    it('returns undefined for an ambiguous username (two entries) even with the right password, binding neither (L6)', async () => {
      const dupes = fixture().users.filter((candidate) => candidate.uid === 'dupe');
      assert.equal(dupes.length, 2);
      const log = await logOf(directory, async () => {
        assert.equal(await directory.authenticate('dupe', dupes[0]?.password ?? ''), undefined);
      });
      for (const dupe of dupes) {
        assert.ok(!log.includes(bindLine(dupe.dn)), log);
      }
    });
  });

  describe('findUser', () => {
    it('finds alice without her password and without binding as her', async () => {
      const alice = user('alice');
      let found: DirectoryUser | undefined;
      const log = await logOf(directory, async () => {
        found = await directory.findUser('alice');
      });
      assert.equal(found?.id, alice.entryUUID);
      assert.equal(found.dn, alice.dn);
      assert.deepEqual(groupNames(found), [...alice.groups].sort());
      assert.ok(!log.includes(bindLine(alice.dn)), log);
    });

    it('returns undefined for unknown, ambiguous and malformed usernames', async () => {
      assert.equal(await directory.findUser('nobody-here'), undefined);
      assert.equal(await directory.findUser('dupe'), undefined);
      assert.equal(await directory.findUser('*'), undefined);
      assert.equal(await directory.findUser(''), undefined);
      assert.equal(await directory.findUser('ali\0ce'), undefined);
    });
  });

  describe('groups', () => {
    it('resolves nested groups: carol ∈ platform ∈ admins ∈ uploaders (L9)', async () => {
      const carol = user('carol');
      const found = await directory.authenticate('carol', carol.password);
      assert.deepEqual(groupNames(found), ['admins', 'platform', 'uploaders']);
      assert.deepEqual(groupNames(found), [...carol.groups].sort());
    });

    it('stops at cycles (loop-a ∈ loop-b ∈ loop-a)', async () => {
      const dave = user('dave');
      assert.deepEqual(groupNames(await directory.findUser('dave')), [...dave.groups].sort());
    });

    it('follows at most maxGroupDepth levels', async () => {
      const shallow = new LdapDirectory(options({ maxGroupDepth: 1 }));
      const twoLevels = new LdapDirectory(options({ maxGroupDepth: 2 }));
      try {
        assert.deepEqual(groupNames(await shallow.findUser('carol')), ['platform']);
        assert.deepEqual(groupNames(await twoLevels.findUser('carol')), ['admins', 'platform']);
      } finally {
        await shallow.close();
        await twoLevels.close();
      }
    });

    it("also takes direct groups from the user's memberOf values (memberof overlay)", async () => {
      // No fixture group uses uniqueMember, so only memberOf can name alice's group here.
      const viaMemberOf = new LdapDirectory(options({ groupMemberAttribute: 'uniqueMember' }));
      try {
        assert.deepEqual(groupNames(await viaMemberOf.findUser('alice')), ['developers']);
        assert.deepEqual(groupNames(await viaMemberOf.findUser('carol')), ['platform']);
      } finally {
        await viaMemberOf.close();
      }
    });

    it('returns no groups for a user in none', async () => {
      assert.deepEqual((await directory.findUser('o*(reilly)'))?.groups, []);
    });
  });

  describe('when the directory is not usable', () => {
    it('rejects with DirectoryUnavailableError when nothing listens on the port', async () => {
      const port = await closedPort();
      const unreachable = new LdapDirectory(options({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 3000 }));
      const began = Date.now();
      await assert.rejects(unreachable.authenticate('alice', user('alice').password), DirectoryUnavailableError);
      await assert.rejects(unreachable.findUser('alice'), DirectoryUnavailableError);
      assert.ok(Date.now() - began < 3000, `took ${Date.now() - began} ms`);
    });

    it('rejects with DirectoryUnavailableError within timeoutMs when the server accepts but never answers (L14)', async () => {
      const silent = await silentServer();
      const hanging = new LdapDirectory(options({ url: `ldap://127.0.0.1:${silent.port}`, timeoutMs: 1000 }));
      try {
        const began = Date.now();
        await assert.rejects(hanging.authenticate('alice', user('alice').password), DirectoryUnavailableError);
        const elapsed = Date.now() - began;
        assert.ok(elapsed >= 900 && elapsed < 3000, `took ${elapsed} ms`);
        assert.ok(silent.connections() >= 1, 'the client did connect');
      } finally {
        await silent.close();
      }
    });

    it('rejects with DirectoryUnavailableError when the service-account password is wrong, with no anonymous fallback (L13)', async () => {
      const wrongPassword = `${requireEnv('QUIVER_TEST_LDAP_BIND_PASSWORD')}-rotated`;
      const misconfigured = new LdapDirectory(options({ bindPassword: wrongPassword }));
      const offset = slapdLog.offset();
      const error = await misconfigured.authenticate('alice', user('alice').password).then(
        () => assert.fail('expected a rejection'),
        (rejection: unknown) => rejection,
      );
      assert.ok(error instanceof DirectoryUnavailableError, String(error));
      assert.ok(!error.message.includes(wrongPassword), 'the password is not in the message');
      assert.ok(!error.message.includes(user('alice').password), 'nor the user password');
      const log = await slapdLog.waitFor(offset, 'RESULT tag=97 err=49');
      assert.ok(log.includes(bindLine(requireEnv('QUIVER_TEST_LDAP_BIND_DN'))), log);
      // Give nothing after the refused bind a chance to hide: the sentinel search comes later.
      const rest = await logOf(directory, () => Promise.resolve());
      const all = log + rest;
      assert.ok(!all.includes('BIND dn=""'), `no anonymous bind:\n${all}`);
      assert.ok(!logHas(all, userFilterLine('alice')), `no search for alice:\n${all}`);
      assert.ok(!all.includes(bindLine(user('alice').dn)), all);
    });

    it('refuses calls after close()', async () => {
      const closed = new LdapDirectory(options());
      await closed.close();
      await assert.rejects(closed.findUser('alice'), DirectoryUnavailableError);
    });
  });
});

/** A loopback port that was free a moment ago and has nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(typeof address === 'object' && address);
  return address.port;
}

/** A TCP server that accepts connections and never answers, like a directory that hangs. */
async function silentServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
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
