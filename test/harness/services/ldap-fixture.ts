/**
 * The directory the `ldap` harness service seeds into its private slapd. Tests in `test/` may import
 * this module; libraries read the same data from the JSON file the service writes at start
 * (`QUIVER_TEST_LDAP_FIXTURE`), which also carries the server-generated `entryUUID`s.
 *
 * The user passwords are throw-away test values; the admin and service-account passwords are
 * generated for each run and only exported through the environment.
 */

export const ldapBaseDn = 'dc=quiver,dc=test';
export const ldapPeopleDn = `ou=people,${ldapBaseDn}`;
export const ldapGroupsDn = `ou=groups,${ldapBaseDn}`;
export const ldapServicesDn = `ou=services,${ldapBaseDn}`;
export const ldapAdminDn = `cn=admin,${ldapBaseDn}`;
export const ldapServiceAccountDn = `cn=quiver-svc,${ldapServicesDn}`;

export interface LdapFixtureUser {
  readonly uid: string;
  /** Where the entry lives; the `dupe` user exists twice (L6: an ambiguous identity). */
  readonly dn: string;
  readonly password: string;
  readonly cn: string;
  readonly sn: string;
  readonly displayName: string;
  readonly mail: string;
  /** Names of every group the user belongs to, directly or through nested groups. */
  readonly groups: readonly string[];
}

export interface LdapFixtureGroup {
  readonly name: string;
  readonly dn: string;
  /** Member DNs: users and other groups (nesting). */
  readonly members: readonly string[];
  /** `groupOfNames` (members in `member`, the default) or `groupOfUniqueNames` (in `uniqueMember`). */
  readonly objectClass?: 'groupOfNames' | 'groupOfUniqueNames';
}

const userDn = (uid: string, ou = ldapPeopleDn): string => `uid=${uid},${ou}`;
const groupDn = (name: string): string => `cn=${name},${ldapGroupsDn}`;
export const ldapContractorsDn = `ou=contractors,${ldapPeopleDn}`;

export const ldapFixtureUsers: readonly LdapFixtureUser[] = [
  {
    uid: 'alice',
    dn: userDn('alice'),
    password: 'alice-Correct-Horse-1',
    cn: 'Alice Archer',
    sn: 'Archer',
    displayName: 'Alice Archer',
    mail: 'alice@quiver.test',
    groups: ['developers', 'uploaders'],
  },
  {
    uid: 'bob',
    dn: userDn('bob'),
    // Spaces inside and around a password are part of it: never trimmed.
    password: ' bob has spaces ',
    cn: 'Bob Baker',
    sn: 'Baker',
    displayName: 'Bob Baker',
    mail: 'bob@quiver.test',
    // bob ∈ auditors (a groupOfUniqueNames) ∈ release-managers
    groups: ['readers', 'auditors', 'release-managers'],
  },
  {
    uid: 'carol',
    dn: userDn('carol'),
    password: 'carol-Platform-3',
    cn: 'Carol Cooper',
    sn: 'Cooper',
    displayName: 'Carol Cooper',
    mail: 'carol@quiver.test',
    // carol ∈ platform ∈ admins ∈ uploaders
    groups: ['platform', 'admins', 'uploaders'],
  },
  {
    uid: 'dave',
    dn: userDn('dave'),
    password: 'dave-Loops-4',
    cn: 'Dave Dunn',
    sn: 'Dunn',
    displayName: 'Dave Dunn',
    mail: 'dave@quiver.test',
    // loop-a ∈ loop-b ∈ loop-a: expansion must terminate.
    groups: ['loop-a', 'loop-b'],
  },
  {
    uid: 'o*(reilly)',
    dn: userDn('o*(reilly)'),
    password: 'oreilly-Stars-5',
    cn: 'Orla Reilly',
    sn: 'Reilly',
    displayName: 'Orla Reilly',
    mail: 'orla@quiver.test',
    groups: [],
  },
  {
    // DN-special characters in a username (L4): found through the filter, never built into a DN.
    // The DN is spelled as slapd returns it (hex escapes), so tests can compare it as a string.
    uid: '#sam+ops,eu',
    dn: userDn('\\23sam\\2Bops\\2Ceu'),
    password: 'sam-Special-7',
    cn: 'Sam Ops',
    sn: 'Ops',
    displayName: 'Sam Ops',
    mail: 'sam@quiver.test',
    groups: ['operators'],
  },
  {
    uid: 'dupe',
    dn: userDn('dupe'),
    password: 'dupe-Twice-6',
    cn: 'Dupe One',
    sn: 'One',
    displayName: 'Dupe One',
    mail: 'dupe1@quiver.test',
    groups: [],
  },
  {
    uid: 'dupe',
    dn: userDn('dupe', ldapContractorsDn),
    password: 'dupe-Twice-6',
    cn: 'Dupe Two',
    sn: 'Two',
    displayName: 'Dupe Two',
    mail: 'dupe2@quiver.test',
    groups: [],
  },
];

export const ldapFixtureGroups: readonly LdapFixtureGroup[] = [
  { name: 'developers', dn: groupDn('developers'), members: [userDn('alice')] },
  { name: 'readers', dn: groupDn('readers'), members: [userDn('bob')] },
  { name: 'platform', dn: groupDn('platform'), members: [userDn('carol')] },
  { name: 'admins', dn: groupDn('admins'), members: [groupDn('platform')] },
  { name: 'uploaders', dn: groupDn('uploaders'), members: [groupDn('developers'), groupDn('admins')] },
  { name: 'loop-a', dn: groupDn('loop-a'), members: [userDn('dave'), groupDn('loop-b')] },
  { name: 'loop-b', dn: groupDn('loop-b'), members: [groupDn('loop-a')] },
  { name: 'auditors', dn: groupDn('auditors'), members: [userDn('bob')], objectClass: 'groupOfUniqueNames' },
  { name: 'release-managers', dn: groupDn('release-managers'), members: [groupDn('auditors')] },
  { name: 'operators', dn: groupDn('operators'), members: [userDn('\\23sam\\2Bops\\2Ceu')] },
];

/** The JSON document the service writes to `QUIVER_TEST_LDAP_FIXTURE`. */
export interface LdapFixtureFile {
  readonly baseDn: string;
  readonly userBaseDn: string;
  readonly groupBaseDn: string;
  readonly serviceAccountDn: string;
  readonly users: readonly (LdapFixtureUser & { readonly entryUUID: string })[];
  readonly groups: readonly LdapFixtureGroup[];
}
