/**
 * A private OpenLDAP `slapd` on free loopback ports, from a generated slapd.conf (mdb backend,
 * memberof overlay), seeded with the fixture in `ldap-fixture.ts`. slapd runs in debug mode
 * (`-d stats`) so it stays in the foreground (its PID is ours) and writes its stats log
 * (connections, StartTLS, BINDs, search filters) to `<runDir>/ldap.log` for the tests to assert on.
 *
 * It speaks TLS with a throw-away test CA made at start (`ldap-tls.ts`): StartTLS on the `ldap://`
 * port and TLS from the first byte on the `ldaps://` port, both on 127.0.0.1 (the certificate's
 * address) and on 127.0.0.2 (an address the certificate does not name: a wrong-host server).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { ensureDebianPackages, type HarnessContext } from '../context.js';
import type { RunningService, ServiceDefinition } from '../service.js';
import {
  ldapAdminDn,
  ldapBaseDn,
  ldapContractorsDn,
  ldapFixtureGroups,
  ldapFixtureUsers,
  ldapGroupsDn,
  ldapPeopleDn,
  ldapServiceAccountDn,
  ldapServicesDn,
  type LdapFixtureFile,
} from './ldap-fixture.js';
import { makeLdapTlsFiles, type LdapTlsFiles } from './ldap-tls.js';

const slapdBin = '/usr/sbin/slapd';
const ldapaddBin = '/usr/bin/ldapadd';

/** RFC 2307 `{SSHA}`: base64(sha1(password ‖ salt) ‖ salt), so no plain password sits in the data files. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** One LDIF attribute line; values that are not an RFC 2849 SAFE-STRING are base64-encoded. */
function ldifLine(attribute: string, value: string): string {
  const codes = [...value].map((character) => character.codePointAt(0) ?? 0);
  const safe =
    codes.every((code) => code > 0 && code < 0x80 && code !== 0x0a && code !== 0x0d) &&
    ![0x20, 0x3a, 0x3c].includes(codes[0] ?? 0x20) && // SAFE-INIT-CHAR: not empty, no leading space, ':' or '<'
    !value.endsWith(' ');
  return safe ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function ldifEntry(dn: string, attributes: readonly (readonly [string, string])[]): string {
  return [ldifLine('dn', dn), ...attributes.map(([name, value]) => ldifLine(name, value))].join('\n');
}

function slapdConf(runDir: string, dataDir: string, rootPasswordHash: string, tls: LdapTlsFiles): string {
  const schema = (name: string): string => `include /etc/ldap/schema/${name}.schema`;
  return `${[
    schema('core'),
    schema('cosine'),
    schema('inetorgperson'),
    schema('nis'),
    '',
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'moduleload memberof',
    '',
    `pidfile ${join(runDir, 'slapd.pid')}`,
    `argsfile ${join(runDir, 'slapd.args')}`,
    '',
    `TLSCACertificateFile ${tls.caFile}`,
    `TLSCertificateFile ${tls.certFile}`,
    `TLSCertificateKeyFile ${tls.keyFile}`,
    '',
    'database mdb',
    'maxsize 67108864',
    `suffix "${ldapBaseDn}"`,
    `rootdn "${ldapAdminDn}"`,
    `rootpw ${rootPasswordHash}`,
    `directory ${dataDir}`,
    'index objectClass eq',
    'index uid eq',
    'index member eq',
    '',
    'overlay memberof',
    'memberof-group-oc groupOfNames',
    'memberof-member-ad member',
    'memberof-memberof-ad memberOf',
    'memberof-refint TRUE',
    '',
    // Anonymous (and everyone else) may only use a password to bind; the service account reads
    // everything except passwords; users read their own entry.
    'access to attrs=userPassword',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    `  by dn.exact="${ldapServiceAccountDn}" read`,
    '  by self read',
    '  by anonymous auth',
    '  by * none',
  ].join('\n')}\n`;
}

function seedLdif(serviceAccountPassword: string): string {
  const organizationalUnit = (dn: string, name: string): string =>
    ldifEntry(dn, [
      ['objectClass', 'organizationalUnit'],
      ['ou', name],
    ]);
  const entries: string[] = [
    ldifEntry(ldapBaseDn, [
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['dc', 'quiver'],
      ['o', 'Quiver test directory'],
    ]),
    organizationalUnit(ldapPeopleDn, 'people'),
    organizationalUnit(ldapContractorsDn, 'contractors'),
    organizationalUnit(ldapGroupsDn, 'groups'),
    organizationalUnit(ldapServicesDn, 'services'),
    ldifEntry(ldapServiceAccountDn, [
      ['objectClass', 'applicationProcess'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', 'quiver-svc'],
      ['userPassword', ssha(serviceAccountPassword)],
    ]),
    ...ldapFixtureUsers.map((user) =>
      ldifEntry(user.dn, [
        ['objectClass', 'inetOrgPerson'],
        ['uid', user.uid],
        ['cn', user.cn],
        ['sn', user.sn],
        ['displayName', user.displayName],
        ['mail', user.mail],
        ['userPassword', ssha(user.password)],
      ]),
    ),
  ];
  // Groups are added in order; a member group that does not exist yet (a cycle) is added afterwards
  // with a modify, so the memberof overlay sees every membership being created.
  const added = new Set<string>();
  const deferred: string[] = [];
  const groupDns = new Set(ldapFixtureGroups.map((group) => group.dn));
  for (const group of ldapFixtureGroups) {
    const now = group.members.filter((member) => !groupDns.has(member) || added.has(member));
    const later = group.members.filter((member) => !now.includes(member));
    const objectClass = group.objectClass ?? 'groupOfNames';
    const memberAttribute = objectClass === 'groupOfNames' ? 'member' : 'uniqueMember';
    entries.push(
      ldifEntry(group.dn, [['objectClass', objectClass], ['cn', group.name], ...now.map((member) => [memberAttribute, member] as const)]),
    );
    added.add(group.dn);
    if (later.length > 0) {
      deferred.push(
        [ldifLine('dn', group.dn), 'changetype: modify', `add: ${memberAttribute}`, ...later.map((member) => ldifLine(memberAttribute, member)), '-'].join('\n'),
      );
    }
  }
  return `${[...entries, ...deferred].join('\n\n')}\n`;
}

async function canBind(url: string, dn: string, password: string, ca?: Buffer): Promise<boolean> {
  const client = new Client({ url, timeout: 2000, connectTimeout: 2000, ...(ca ? { tlsOptions: { ca, rejectUnauthorized: true } } : {}) });
  try {
    await client.bind(dn, password);
    return true;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Reads back the server-generated entryUUID of every fixture user (as the root DN). */
async function readEntryUuids(url: string, adminPassword: string): Promise<Map<string, string>> {
  const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
  try {
    await client.bind(ldapAdminDn, adminPassword);
    const { searchEntries } = await client.search(ldapPeopleDn, {
      scope: 'sub',
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['entryUUID'],
    });
    const uuids = new Map<string, string>();
    for (const entry of searchEntries) {
      const uuid = entry['entryUUID'];
      if (typeof uuid === 'string') {
        uuids.set(entry.dn.toLowerCase(), uuid);
      }
    }
    return uuids;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export const ldap: ServiceDefinition = {
  name: 'ldap',

  async install(ctx) {
    await ensureDebianPackages(ctx, ['slapd', 'ldap-utils'], [slapdBin, ldapaddBin]);
  },

  async start(ctx: HarnessContext): Promise<RunningService> {
    const dir = join(ctx.runDir, 'ldap');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    const tls = await makeLdapTlsFiles(ctx, tlsDir);
    const adminPassword = randomBytes(18).toString('base64url');
    const servicePassword = randomBytes(18).toString('base64url');
    const confPath = join(dir, 'slapd.conf');
    writeFileSync(confPath, slapdConf(dir, dataDir, ssha(adminPassword), tls), { mode: 0o600 });

    const port = await ctx.freePort();
    const tlsPort = await ctx.freePort();
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
    const wrongHostUrl = `ldap://127.0.0.2:${port}`;
    const wrongHostLdapsUrl = `ldaps://127.0.0.2:${tlsPort}`;
    const listeners = [url, ldapsUrl, wrongHostUrl, wrongHostLdapsUrl].map((listener) => `${listener}/`).join(' ');
    const child = ctx.spawnDaemon('ldap', slapdBin, ['-d', 'stats', '-h', listeners, '-f', confPath]);
    const pid = child.pid ?? 0;
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    };

    try {
      await ctx.waitFor('ldap', () => canBind(url, ldapAdminDn, adminPassword), { timeoutMs: 30_000, child, logName: 'ldap' });
      // Fails the start, not some later test, when slapd's TLS setup is broken.
      await ctx.waitFor('ldap (ldaps)', () => canBind(ldapsUrl, ldapAdminDn, adminPassword, readFileSync(tls.caFile)), {
        timeoutMs: 10_000,
        child,
        logName: 'ldap',
      });

      // ldapadd reads the bind password from a file (-y), never from its command line.
      const passwordFile = join(dir, 'admin.pw');
      writeFileSync(passwordFile, adminPassword, { mode: 0o600 });
      const ldifPath = join(dir, 'seed.ldif');
      writeFileSync(ldifPath, seedLdif(servicePassword), { mode: 0o600 });
      await ctx.run(ldapaddBin, ['-x', '-H', url, '-D', ldapAdminDn, '-y', passwordFile, '-f', ldifPath]);

      const uuids = await readEntryUuids(url, adminPassword);
      const fixture: LdapFixtureFile = {
        baseDn: ldapBaseDn,
        userBaseDn: ldapPeopleDn,
        groupBaseDn: ldapGroupsDn,
        serviceAccountDn: ldapServiceAccountDn,
        users: ldapFixtureUsers.map((user) => {
          const entryUUID = uuids.get(user.dn.toLowerCase());
          if (entryUUID === undefined) {
            throw new Error(`ldap: no entryUUID read back for ${user.dn}`);
          }
          return { ...user, entryUUID };
        }),
        groups: ldapFixtureGroups,
      };
      const fixturePath = join(dir, 'fixture.json');
      writeFileSync(fixturePath, `${JSON.stringify(fixture, null, 2)}\n`, { mode: 0o600 });

      return {
        name: 'ldap',
        env: {
          QUIVER_TEST_LDAP_URL: url,
          QUIVER_TEST_LDAPS_URL: ldapsUrl,
          QUIVER_TEST_LDAP_WRONG_HOST_URL: wrongHostUrl,
          QUIVER_TEST_LDAPS_WRONG_HOST_URL: wrongHostLdapsUrl,
          QUIVER_TEST_LDAP_CA_FILE: tls.caFile,
          QUIVER_TEST_LDAP_OTHER_CA_FILE: tls.otherCaFile,
          QUIVER_TEST_LDAP_BASE_DN: ldapBaseDn,
          QUIVER_TEST_LDAP_BIND_DN: ldapServiceAccountDn,
          QUIVER_TEST_LDAP_BIND_PASSWORD: servicePassword,
          QUIVER_TEST_LDAP_ADMIN_DN: ldapAdminDn,
          QUIVER_TEST_LDAP_ADMIN_PASSWORD: adminPassword,
          QUIVER_TEST_LDAP_LOG: ctx.logPath('ldap'),
          QUIVER_TEST_LDAP_FIXTURE: fixturePath,
          // For fault tests that pause the server (SIGSTOP/SIGCONT), as RELIABILITY §(d) L14 describes.
          QUIVER_TEST_LDAP_PID: String(pid),
        },
        pids: [pid],
        stop,
      };
    } catch (error) {
      await stop();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
      throw error;
    }
  },
};
