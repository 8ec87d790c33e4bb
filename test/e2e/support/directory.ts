/**
 * The harness's real slapd as the end-to-end suites change it: users and groups of a test's own
 * (made with slapd's root DN and removed afterwards), what slapd logged, and its process for the
 * "directory stops answering" cases. The fixture's own users are never changed.
 */
import { readFileSync, statSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { requireEnv } from '@quiver/shared-testing';

interface Fixture {
  readonly baseDn: string;
  readonly userBaseDn: string;
  readonly groupBaseDn: string;
}

const fixture = (): Fixture => JSON.parse(readFileSync(requireEnv('QUIVER_TEST_LDAP_FIXTURE'), 'utf8')) as Fixture;

/** The registry's LDAP settings for the harness's slapd, over StartTLS against the test CA. */
export function directorySettings(overrides: Record<string, string> = {}): Record<string, string> {
  const { userBaseDn, groupBaseDn } = fixture();
  return {
    QUIVER_LDAP_URL: requireEnv('QUIVER_TEST_LDAP_URL'),
    QUIVER_LDAP_STARTTLS: 'true',
    QUIVER_LDAP_CA_FILE: requireEnv('QUIVER_TEST_LDAP_CA_FILE'),
    QUIVER_LDAP_BIND_DN: requireEnv('QUIVER_TEST_LDAP_BIND_DN'),
    QUIVER_LDAP_BIND_PASSWORD: requireEnv('QUIVER_TEST_LDAP_BIND_PASSWORD'),
    QUIVER_LDAP_USER_BASE_DN: userBaseDn,
    QUIVER_LDAP_GROUP_BASE_DN: groupBaseDn,
    ...overrides,
  };
}

export interface DirectoryPerson {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
}

/** Entries a test makes in slapd, removed by `cleanUp`. */
export class TestDirectory {
  private readonly made: string[] = [];

  async person(uid: string): Promise<DirectoryPerson> {
    const dn = `uid=${uid},${fixture().userBaseDn}`;
    const password = `${uid}-Secret-9`;
    await this.admin((client) => client.add(dn, { objectClass: 'inetOrgPerson', uid, cn: uid, sn: 'Test', mail: `${uid}@quiver.test`, userPassword: password }));
    this.made.push(dn);
    return { uid, dn, password };
  }

  /** A groupOfNames (it always keeps a placeholder member, as the schema needs one). */
  async group(name: string, members: readonly string[]): Promise<string> {
    const dn = `cn=${name},${fixture().groupBaseDn}`;
    await this.admin((client) => client.add(dn, { objectClass: 'groupOfNames', cn: name, member: [...members, `cn=placeholder,${fixture().baseDn}`] }));
    this.made.push(dn);
    return dn;
  }

  removeMember(groupDn: string, member: string): Promise<void> {
    return this.admin((client) => client.modify(groupDn, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [member] }) })));
  }

  remove(dn: string): Promise<void> {
    return this.admin((client) => client.del(dn));
  }

  async rename(dn: string, uid: string): Promise<string> {
    await this.admin((client) => client.modifyDN(dn, `uid=${uid}`));
    const renamed = `uid=${uid},${fixture().userBaseDn}`;
    this.made.splice(this.made.indexOf(dn), 1, renamed);
    return renamed;
  }

  async cleanUp(): Promise<void> {
    await this.admin(async (client) => {
      for (const dn of this.made.reverse()) {
        await client.del(dn).catch(() => undefined);
      }
    });
  }

  private async admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ url: requireEnv('QUIVER_TEST_LDAP_URL'), timeout: 5000, connectTimeout: 5000 });
    try {
      await client.bind(requireEnv('QUIVER_TEST_LDAP_ADMIN_DN'), requireEnv('QUIVER_TEST_LDAP_ADMIN_PASSWORD'));
      return await work(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}

/** slapd's stats log (ACCEPT, STARTTLS, BIND dn=…, SRCH … filter=…) from a byte offset on. */
export const slapdLog = {
  offset: (): number => statSync(requireEnv('QUIVER_TEST_LDAP_LOG')).size,
  since: (offset: number): string => readFileSync(requireEnv('QUIVER_TEST_LDAP_LOG')).subarray(offset).toString('utf8'),
};

/** Stops slapd answering (SIGSTOP) while `work` runs, and lets it go on (SIGCONT) however `work` ends. */
export async function withDirectoryStopped<T>(work: () => Promise<T>): Promise<T> {
  const pid = Number(requireEnv('QUIVER_TEST_LDAP_PID'));
  process.kill(pid, 'SIGSTOP');
  try {
    return await work();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
