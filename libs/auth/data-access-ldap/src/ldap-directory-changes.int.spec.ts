/**
 * LdapDirectory while the directory changes under it (RELIABILITY.md §(d)): a user renamed (L12),
 * removed from a group, disabled or deleted (the adapter side of L10: what a re-read by id
 * returns), and referrals in the search base (L8). Each test makes its own entries with slapd's
 * root DN and removes them afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change, Control, type Client } from 'ldapts';
import type { DirectoryUser } from '@quiver/shared-ports';
import { LdapDirectory } from './index.js';
import { closeKit, directoryOptions, fixture, fixtureUser as user, silentServer, withAdmin } from './testing/slapd-kit.js';

const groupNames = (found: DirectoryUser | undefined): string[] => (found?.groups.map((group) => group.name) ?? []).sort();
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
/** RFC 3296 ManageDsaIT: act on a referral object itself instead of being referred. */
const manageDsaIt = new Control('2.16.840.1.113730.3.4.2', { critical: true });

const replace = (type: string, values: string[]): Change => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
const remove = (type: string, values: string[]): Change => new Change({ operation: 'delete', modification: new Attribute({ type, values }) });

interface TestUser {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
  readonly teamDn: string;
}

/** A user of its own and a group ("team") holding it, for one test. */
async function addUser(admin: Client): Promise<TestUser> {
  const uid = unique('temp');
  const dn = `uid=${uid},${fixture().userBaseDn}`;
  const password = `${uid}-Password-9`;
  const teamDn = `cn=${uid}-team,${fixture().groupBaseDn}`;
  await admin.add(dn, { objectClass: 'inetOrgPerson', uid, cn: uid, sn: 'Temp', mail: `${uid}@quiver.test`, userPassword: password });
  // groupOfNames needs a member even after the test removes the user: a placeholder DN stays.
  await admin.add(teamDn, { objectClass: 'groupOfNames', cn: `${uid}-team`, member: [dn, `cn=placeholder,${fixture().baseDn}`] });
  return { uid, dn, password, teamDn };
}

async function removeEntries(dns: readonly string[]): Promise<void> {
  await withAdmin(async (admin) => {
    for (const dn of dns) {
      await admin.del(dn).catch(() => undefined);
    }
  });
}

describe('LdapDirectory while the directory changes', () => {
  const disabledFilter = '(&(objectClass=person)(uid={username})(!(description=disabled)))';
  let directory: LdapDirectory;
  let cleanup: string[] = [];
  before(() => {
    directory = new LdapDirectory(directoryOptions({ userFilter: disabledFilter }));
  });
  after(async () => {
    await removeEntries(cleanup);
    await directory.close();
    await closeKit();
  });

  async function fresh(): Promise<TestUser & { readonly id: string }> {
    const created = await withAdmin(addUser);
    cleanup.push(created.teamDn, created.dn);
    const found = await directory.authenticate(created.uid, created.password);
    assert.ok(found, 'the new user signs in');
    assert.deepEqual(groupNames(found), [`${created.uid}-team`]);
    return { ...created, id: found.id };
  }

  it('a renamed user (same entryUUID, new uid) is found by id under the new username, with the groups (L12)', async () => {
    const created = await fresh();
    const renamed = `${created.uid}-renamed`;
    const renamedDn = `uid=${renamed},${fixture().userBaseDn}`;
    await withAdmin((admin) => admin.modifyDN(created.dn, `uid=${renamed}`));
    cleanup = cleanup.map((dn) => (dn === created.dn ? renamedDn : dn));

    const byId = await directory.findUserById(created.id);
    assert.equal(byId?.id, created.id);
    assert.equal(byId.username, renamed);
    assert.equal(byId.dn.toLowerCase(), renamedDn.toLowerCase());
    assert.deepEqual(groupNames(byId), [`${created.uid}-team`], 'the memberof overlay moved the membership with the DN');
    assert.equal(await directory.findUser(created.uid), undefined, 'the old username is gone');
    assert.equal(await directory.authenticate(created.uid, created.password), undefined);
    assert.equal((await directory.authenticate(renamed, created.password))?.id, created.id);
  });

  it('a re-read by id shows a group membership removed (the adapter side of L10)', async () => {
    const created = await fresh();
    await withAdmin((admin) => admin.modify(created.teamDn, remove('member', [created.dn])));
    const byId = await directory.findUserById(created.id);
    assert.equal(byId?.username, created.uid);
    assert.deepEqual(byId.groups, []);
  });

  it('a re-read by id finds nothing once the user filter excludes the entry (disabled) or the entry is deleted (the adapter side of L10)', async () => {
    const created = await fresh();
    await withAdmin((admin) => admin.modify(created.dn, replace('description', ['disabled'])));
    assert.equal(await directory.findUserById(created.id), undefined, 'disabled: outside the user filter');
    assert.equal(await directory.authenticate(created.uid, created.password), undefined);
    await withAdmin((admin) => admin.modify(created.dn, replace('description', ['enabled again'])));
    assert.equal((await directory.findUserById(created.id))?.username, created.uid);
    await removeEntries([created.teamDn, created.dn]);
    assert.equal(await directory.findUserById(created.id), undefined, 'deleted');
  });

  describe('with a referral in the search base (L8)', () => {
    let referralTarget: Awaited<ReturnType<typeof silentServer>>;
    let referralDn: string;
    before(async () => {
      referralTarget = await silentServer();
      referralDn = `ou=${unique('partners')},${fixture().baseDn}`;
      const ref = `ldap://127.0.0.1:${referralTarget.port}/ou=partners,dc=elsewhere,dc=test`;
      await withAdmin(async (admin) => {
        await admin.add(referralDn, { objectClass: ['referral', 'extensibleObject'], ou: referralDn.slice(3, referralDn.indexOf(',')), ref }, manageDsaIt);
        // The setup is real: a subtree search from the domain root returns a continuation reference.
        const { searchReferences } = await admin.search(fixture().baseDn, { scope: 'sub', filter: '(uid=alice)' });
        assert.equal(searchReferences.length, 1);
        assert.ok(searchReferences[0]?.startsWith(ref), searchReferences[0]); // slapd appends the scope (`??sub`)
      });
    });
    after(async () => {
      await withAdmin((admin) => admin.del(referralDn, manageDsaIt));
      await referralTarget.close();
    });

    it('searching from the domain root: sign-in, lookups and groups work from the returned entries; the referral is not chased and nothing hangs', async () => {
      const fromRoot = new LdapDirectory(directoryOptions({ userBaseDn: fixture().baseDn, groupBaseDn: fixture().baseDn, timeoutMs: 5000 }));
      try {
        const carol = user('carol');
        const began = Date.now();
        const found = await fromRoot.authenticate('carol', carol.password);
        assert.equal(found?.id, carol.entryUUID);
        assert.deepEqual(groupNames(found), [...carol.groups].sort());
        assert.equal((await fromRoot.findUserById(carol.entryUUID))?.username, 'carol');
        assert.equal(await fromRoot.findUser('nobody-here'), undefined);
        assert.ok(Date.now() - began < 2500, `took ${Date.now() - began} ms`);
        assert.equal(referralTarget.connections(), 0, 'no connection to the referral host');
      } finally {
        await fromRoot.close();
      }
    });
  });
});
