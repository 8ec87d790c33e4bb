/**
 * RELIABILITY.md §(d) L7 against the harness's slapd, which speaks StartTLS on its ldap:// port and
 * TLS on its ldaps:// port with a certificate from a throw-away test CA, for 127.0.0.1 but not for
 * 127.0.0.2. RELIABILITY asks for a packet capture to show no bind goes out in cleartext; slapd's
 * own log shows it as well: every operation slapd received is logged, so a connection whose
 * TLS failed and that shows no BIND carried no bind.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DirectoryUnavailableError } from '@quiver/shared-ports';
import { LdapDirectory, type LdapDirectoryOptions } from './index.js';
import { closeKit, connectionsIn, directoryOptions, fixtureUser as user, harnessEnv, logOf } from './testing/slapd-kit.js';

const startTlsLine = 'EXT oid=1.3.6.1.4.1.1466.20037';
const tlsEstablished = 'TLS established';

async function withDirectory<T>(overrides: Partial<LdapDirectoryOptions>, work: (directory: LdapDirectory) => Promise<T>): Promise<T> {
  const directory = new LdapDirectory(directoryOptions(overrides));
  try {
    return await work(directory);
  } finally {
    await directory.close();
  }
}

/** Every connection of `log` that carried a BIND had its TLS established before the BIND (and, with StartTLS, asked for it first). */
function assertEveryBindAfterTls(log: string, startTls: boolean): number {
  let binds = 0;
  for (const [connection, lines] of connectionsIn(log)) {
    const bind = lines.findIndex((line) => line.includes(' BIND dn='));
    if (bind < 0) {
      continue;
    }
    binds += 1;
    const established = lines.findIndex((line) => line.includes(tlsEstablished));
    assert.ok(established >= 0 && established < bind, `${connection}: TLS before the bind\n${lines.join('\n')}`);
    if (startTls) {
      const asked = lines.findIndex((line) => line.includes(startTlsLine));
      assert.ok(asked >= 0 && asked < established, `${connection}: StartTLS first\n${lines.join('\n')}`);
    }
  }
  return binds;
}

/** The call fails as "directory unavailable" (a 503 upstream), naming the TLS problem and no secret. */
async function assertRefused(directory: LdapDirectory, reason: RegExp): Promise<void> {
  const alice = user('alice');
  const error = await directory.authenticate('alice', alice.password).then(
    () => assert.fail('expected a rejection'),
    (rejection: unknown) => rejection,
  );
  assert.ok(error instanceof DirectoryUnavailableError, String(error));
  assert.match(error.message, reason);
  assert.ok(!error.message.includes(alice.password) && !error.message.includes(harnessEnv('QUIVER_TEST_LDAP_BIND_PASSWORD')), error.message);
}

describe('LdapDirectory over TLS (L7)', () => {
  after(closeKit);

  const good = (): Partial<LdapDirectoryOptions> => ({ caFile: harnessEnv('QUIVER_TEST_LDAP_CA_FILE') });

  it('StartTLS against the test CA: sign-in works and every bind follows a completed StartTLS', async () => {
    await withDirectory({ ...good(), startTls: true }, async (directory) => {
      const alice = user('alice');
      const log = await logOf(async () => {
        assert.equal((await directory.authenticate('alice', alice.password))?.id, alice.entryUUID);
        assert.equal((await directory.findUserById(alice.entryUUID))?.username, 'alice');
      });
      assert.equal(assertEveryBindAfterTls(log, true), 3, `service, alice, service:\n${log}`);
    });
  });

  it('ldaps:// against the test CA: sign-in works, TLS from the first byte', async () => {
    await withDirectory({ ...good(), url: harnessEnv('QUIVER_TEST_LDAPS_URL') }, async (directory) => {
      const alice = user('alice');
      const log = await logOf(async () => {
        assert.equal((await directory.authenticate('alice', alice.password))?.id, alice.entryUUID);
      });
      assert.equal(assertEveryBindAfterTls(log, false), 2, log);
      assert.ok(!log.includes(startTlsLine), log);
    });
  });

  const refusals: readonly (readonly [string, () => Partial<LdapDirectoryOptions>, RegExp])[] = [
    ['StartTLS, a certificate from a CA we do not trust', () => ({ startTls: true, caFile: harnessEnv('QUIVER_TEST_LDAP_OTHER_CA_FILE') }), /StartTLS failed .*certificate/i],
    ['StartTLS, no CA file (the test CA is in no built-in list: verification is never off)', () => ({ startTls: true }), /StartTLS failed .*certificate/i],
    ['StartTLS, a certificate for another host', () => ({ ...good(), startTls: true, url: harnessEnv('QUIVER_TEST_LDAP_WRONG_HOST_URL') }), /StartTLS failed .*(altnames|Hostname\/IP does not match)/i],
    ['ldaps://, a certificate from a CA we do not trust', () => ({ url: harnessEnv('QUIVER_TEST_LDAPS_URL'), caFile: harnessEnv('QUIVER_TEST_LDAP_OTHER_CA_FILE') }), /certificate/i],
    ['ldaps://, a certificate for another host', () => ({ ...good(), url: harnessEnv('QUIVER_TEST_LDAPS_WRONG_HOST_URL') }), /altnames|Hostname\/IP does not match/i],
  ];
  for (const [label, overrides, reason] of refusals) {
    it(`${label}: DirectoryUnavailableError, and slapd received no bind at all`, async () => {
      await withDirectory(overrides(), async (directory) => {
        const log = await logOf(() => assertRefused(directory, reason));
        const connections = connectionsIn(log);
        assert.ok(connections.size >= 1, `the client did connect:\n${log}`);
        assert.ok(!log.includes('BIND dn='), `no bind, for the service account or alice:\n${log}`);
        assert.ok(!log.includes(`"${user('alice').dn}"`), log);
        if (overrides().startTls === true) {
          assert.ok(log.includes(startTlsLine), `StartTLS was asked for:\n${log}`);
        }
      });
    });
  }
});
