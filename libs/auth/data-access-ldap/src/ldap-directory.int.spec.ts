/**
 * LdapDirectory against the harness's real slapd: sign-in, lookups and groups. Case numbers
 * refer to RELIABILITY.md §(d). Where the cases are:
 * - here: L1, L2, L3, L4, L6, L9, L11, L16 (and the adapter side of L10: a re-read by id);
 * - ldap-directory-tls.int.spec.ts: L7 (StartTLS, ldaps, wrong CA, wrong host);
 * - ldap-directory-changes.int.spec.ts: L8 (referrals), L12 (renames), re-reads by id (L10's adapter side);
 * - ldap-directory-faults.int.spec.ts: L5 (timing), L13 (service account), L14 (timeouts);
 * - L18 (ldaps:// with StartTLS) is refused at start-up: ldap-options.unit.spec.ts and
 *   libs/shared/util-config/src/ldap-config.unit.spec.ts.
 * L10 (a removed or disabled user's token), L15 (rate limit before binding) and L17 (auto-provision
 * without a local password) are decided by the auth service, not the adapter: they are tested there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectoryUser } from '@quiver/shared-ports';
import { LdapDirectory } from './index.js';
import { unknownUserBindRdn } from './ldap-directory.js';
import {
  bindLine,
  closeKit,
  directoryOptions,
  fixture,
  fixtureUser as user,
  harnessEnv,
  logHas,
  logOf,
  slapdLog,
  userFilterLine,
} from './testing/slapd-kit.js';

const groupNames = (found: DirectoryUser | undefined): string[] => (found?.groups.map((group) => group.name) ?? []).sort();
/** A bind as any entry under the people OU (the service account lives elsewhere; the L5 dummy DN is `cn=`). */
const userBinds = (log: string): RegExpMatchArray | null => log.match(/BIND dn="uid=/g);

describe('LdapDirectory against slapd', () => {
  let directory: LdapDirectory;
  before(() => {
    directory = new LdapDirectory(directoryOptions());
  });
  after(async () => {
    await directory.close();
    await closeKit();
  });

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
      // slapd saw the service-account bind, the template filled in, alice's own bind and the group filter for her DN.
      const log = await slapdLog.waitFor(offset, bindLine(alice.dn));
      assert.ok(log.includes(bindLine(harnessEnv('QUIVER_TEST_LDAP_BIND_DN'))), log);
      assert.ok(logHas(log, userFilterLine('alice')), log);
      await slapdLog.waitFor(offset, `filter="(|(member=${alice.dn})(uniqueMember=${alice.dn}))"`);
    });

    it('uses the user filter template as the whole filter: the default (uid={username}) has nothing ANDed to it', async () => {
      const { url, bindDn, bindPassword, userBaseDn, groupBaseDn } = directoryOptions();
      const defaults = new LdapDirectory({ url, bindDn, bindPassword, userBaseDn, groupBaseDn });
      try {
        const offset = slapdLog.offset();
        assert.equal((await defaults.authenticate('alice', user('alice').password))?.id, user('alice').entryUUID);
        await slapdLog.waitFor(offset, 'filter="(uid=alice)"');
      } finally {
        await defaults.close();
      }
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

    it('returns undefined for an unknown user, binding no user: only the service account and the L5 dummy DN', async () => {
      const log = await logOf(async () => {
        assert.equal(await directory.authenticate('nobody-here', 'some-password'), undefined);
      });
      assert.ok(logHas(log, userFilterLine('nobody-here')), log);
      assert.equal(userBinds(log), null, log);
      assert.ok(log.includes(bindLine(`${unknownUserBindRdn},${fixture().userBaseDn}`)), log);
    });

    for (const [label, password] of [
      ['an empty password (L1)', ''],
      ['a password of spaces (L2)', '   '],
      ['a password of tabs and newlines (L2)', '\t\t\n'],
    ] as const) {
      it(`returns undefined for ${label} and sends nothing: no search, no bind`, async () => {
        const log = await logOf(async () => {
          assert.equal(await directory.authenticate('alice', password), undefined);
        });
        assert.ok(!log.includes('BIND dn='), log);
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
      it(`treats the username ${JSON.stringify(username)} as a literal: slapd sees ${escaped} and no user is bound (L3)`, async () => {
        const log = await logOf(async () => {
          // alice's real password: a wildcard match would bind her.
          assert.equal(await directory.authenticate(username, user('alice').password), undefined);
        });
        assert.ok(logHas(log, userFilterLine(escaped)), log);
        assert.equal(userBinds(log), null, log);
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

    it('has no DN-template mode (L4): DN-special characters in a username are matched literally by the filter and never built into a DN', async () => {
      const sam = user('#sam+ops,eu');
      const offset = slapdLog.offset();
      const found = await directory.authenticate('#sam+ops,eu', sam.password);
      assert.equal(found?.id, sam.entryUUID);
      assert.equal(found.username, '#sam+ops,eu');
      assert.equal(found.dn, sam.dn, 'the DN the directory returned, not one built from the username');
      assert.deepEqual(groupNames(found), ['operators'], 'the group filter matched the escaped member DN');
      const log = await slapdLog.waitFor(offset, bindLine(sam.dn));
      assert.ok(logHas(log, userFilterLine('#sam+ops,eu')), log);
      // Usernames shaped to change a built DN reach slapd only as filter values; nobody is bound.
      const attempts = await logOf(async () => {
        for (const username of ['alice,ou=admins', 'alice,ou=people,dc=quiver,dc=test', 'a+b', '#x', 'alice\\,ou=admins']) {
          assert.equal(await directory.authenticate(username, user('alice').password), undefined, username);
        }
      });
      for (const value of ['alice,ou=admins', 'a+b', '#x', 'alice\\5C,ou=admins']) {
        assert.ok(logHas(attempts, userFilterLine(value)), `${value}:\n${attempts}`);
      }
      assert.equal(userBinds(attempts), null, attempts);
    });

    it('refuses usernames with NUL, control or invisible characters, or leading/trailing spaces, before contacting slapd (L3, L4, L11, L16)', async () => {
      const log = await logOf(async () => {
        for (const username of ['ali\0ce', 'alice\0', 'ali\u200bce', ' alice', 'alice ', 'al ice', 'alice\n']) {
          assert.equal(await directory.authenticate(username, user('alice').password), undefined, JSON.stringify(username));
        }
      });
      assert.ok(!log.includes('SRCH base='), `no search at all:\n${log}`);
      assert.ok(!log.includes('BIND dn='), `no bind at all:\n${log}`);
    });

    it('maps case and NFKC variants to the one directory identity, spelled as the directory does (L11, L16)', async () => {
      const alice = user('alice');
      for (const variant of ['Alice', 'ALICE', 'ａｌｉｃｅ']) {
        const found = await directory.authenticate(variant, alice.password);
        assert.equal(found?.id, alice.entryUUID, variant);
        assert.equal(found.username, 'alice', 'the directory spelling');
        assert.deepEqual(groupNames(found), [...alice.groups].sort());
      }
    });

    it('returns undefined for an ambiguous username (two entries) even with the right password, binding neither (L6)', async () => {
      const dupes = fixture().users.filter((candidate) => candidate.uid === 'dupe');
      assert.equal(dupes.length, 2);
      const log = await logOf(async () => {
        assert.equal(await directory.authenticate('dupe', dupes[0]?.password ?? ''), undefined);
      });
      assert.equal(userBinds(log), null, log);
    });
  });

  describe('findUser and findUserById', () => {
    it('finds alice without her password and without binding as her', async () => {
      const alice = user('alice');
      let found: DirectoryUser | undefined;
      const log = await logOf(async () => {
        found = await directory.findUser('alice');
      });
      assert.equal(found?.id, alice.entryUUID);
      assert.equal(found.dn, alice.dn);
      assert.deepEqual(groupNames(found), [...alice.groups].sort());
      assert.equal(userBinds(log), null, log);
    });

    it('finds a user by entryUUID, with the same shape as authenticate, searching the id AND the user filter', async () => {
      const carol = user('carol');
      const offset = slapdLog.offset();
      const byId = await directory.findUserById(carol.entryUUID);
      assert.deepEqual(byId, await directory.authenticate('carol', carol.password));
      assert.equal(byId?.username, 'carol');
      await slapdLog.waitFor(offset, `filter="(&(&(objectClass=person)(uid=*))(entryUUID=${carol.entryUUID}))"`);
    });

    it('returns undefined for unknown, ambiguous and malformed usernames and ids', async () => {
      assert.equal(await directory.findUser('nobody-here'), undefined);
      assert.equal(await directory.findUser('dupe'), undefined);
      assert.equal(await directory.findUser('*'), undefined);
      assert.equal(await directory.findUser(''), undefined);
      assert.equal(await directory.findUser('ali\0ce'), undefined);
      assert.equal(await directory.findUserById('00000000-0000-0000-0000-000000000000'), undefined);
      assert.equal(await directory.findUserById('*'), undefined);
      assert.equal(await directory.findUserById(''), undefined);
      assert.equal(await directory.findUserById(`${user('alice').entryUUID}\0`), undefined);
    });

    it('does not find by id a user the user filter does not admit', async () => {
      const developersOnly = new LdapDirectory(
        directoryOptions({ userFilter: `(&(objectClass=person)(uid={username})(memberOf=cn=developers,${fixture().groupBaseDn}))` }),
      );
      try {
        assert.equal((await developersOnly.findUserById(user('alice').entryUUID))?.username, 'alice');
        assert.equal(await developersOnly.findUserById(user('bob').entryUUID), undefined);
        assert.equal(await developersOnly.authenticate('bob', user('bob').password), undefined);
      } finally {
        await developersOnly.close();
      }
    });
  });

  describe('groups', () => {
    it('resolves nested groups: carol ∈ platform ∈ admins ∈ uploaders (L9)', async () => {
      const carol = user('carol');
      const found = await directory.authenticate('carol', carol.password);
      assert.deepEqual(groupNames(found), ['admins', 'platform', 'uploaders']);
      assert.deepEqual(groupNames(found), [...carol.groups].sort());
    });

    it('finds uniqueMember groups and nests through them with the default group filter: bob ∈ auditors ∈ release-managers (L9)', async () => {
      assert.deepEqual(groupNames(await directory.findUser('bob')), [...user('bob').groups].sort());
    });

    it('fills {dn} in the group filter template again for every nested level', async () => {
      const offset = slapdLog.offset();
      await directory.findUser('carol');
      const platform = `cn=platform,${fixture().groupBaseDn}`;
      await slapdLog.waitFor(offset, `filter="(|(member=${platform})(uniqueMember=${platform}))"`);
      const memberOnly = new LdapDirectory(directoryOptions({ groupFilter: '(&(objectClass=groupOfNames)(member={dn}))' }));
      try {
        assert.deepEqual(groupNames(await memberOnly.findUser('bob')), ['readers'], 'the template is the whole filter: no uniqueMember groups');
        assert.deepEqual(groupNames(await memberOnly.findUser('carol')), ['admins', 'platform', 'uploaders']);
      } finally {
        await memberOnly.close();
      }
    });

    it('reads names from the group name attribute, falling back to the DN when a group has none', async () => {
      const byDescription = new LdapDirectory(directoryOptions({ groupNameAttribute: 'description' }));
      try {
        const found = await byDescription.findUser('alice');
        assert.deepEqual(groupNames(found), fixture().groups.filter((group) => user('alice').groups.includes(group.name)).map((group) => group.dn).sort());
      } finally {
        await byDescription.close();
      }
    });

    it('stops at cycles (loop-a ∈ loop-b ∈ loop-a)', async () => {
      const dave = user('dave');
      assert.deepEqual(groupNames(await directory.findUser('dave')), [...dave.groups].sort());
    });

    it('follows at most maxGroupDepth levels', async () => {
      const shallow = new LdapDirectory(directoryOptions({ maxGroupDepth: 1 }));
      const twoLevels = new LdapDirectory(directoryOptions({ maxGroupDepth: 2 }));
      try {
        assert.deepEqual(groupNames(await shallow.findUser('carol')), ['platform']);
        assert.deepEqual(groupNames(await twoLevels.findUser('carol')), ['admins', 'platform']);
      } finally {
        await shallow.close();
        await twoLevels.close();
      }
    });

    it('returns no groups for a user in none', async () => {
      assert.deepEqual((await directory.findUser('o*(reilly)'))?.groups, []);
    });
  });
});
