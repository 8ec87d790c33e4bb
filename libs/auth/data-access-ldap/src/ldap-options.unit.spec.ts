import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '@quiver/shared-util-config';
import { resolveLdapOptions, type LdapDirectoryOptions } from './ldap-options.js';

const base: LdapDirectoryOptions = {
  url: 'ldap://127.0.0.1:1389',
  bindDn: 'cn=svc,dc=example,dc=test',
  bindPassword: 'not-echoed-7f3a',
  userBaseDn: 'ou=people,dc=example,dc=test',
  groupBaseDn: 'ou=groups,dc=example,dc=test',
};

const scratch = mkdtempSync(join(tmpdir(), 'ldap-options-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('resolveLdapOptions', () => {
  it('fills in the defaults: the issue\'s filter templates, entryUUID, cn, 10 s, no TLS for ldap://', () => {
    const resolved = resolveLdapOptions(base);
    assert.equal(resolved.userFilter, '(uid={username})');
    assert.equal(resolved.usernameAttribute, 'uid');
    assert.equal(resolved.groupFilter, '(|(member={dn})(uniqueMember={dn}))');
    assert.equal(resolved.groupNameAttribute, 'cn');
    assert.equal(resolved.idAttribute, 'entryUUID');
    assert.equal(resolved.timeoutMs, 10_000);
    assert.equal(resolved.connectTimeoutMs, 10_000);
    assert.equal(resolved.maxGroupDepth, 10);
    assert.equal(resolved.tls, 'none');
    assert.equal(resolved.ca, undefined);
  });

  it('takes the filters as whole templates and reads the username attribute from the user filter', () => {
    const resolved = resolveLdapOptions({
      ...base,
      userFilter: '(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(sAMAccountName={username}))',
      groupFilter: '(&(objectClass=group)(member={dn}))',
    });
    assert.equal(resolved.usernameAttribute, 'sAMAccountName');
    assert.equal(resolved.groupFilter, '(&(objectClass=group)(member={dn}))');
  });

  it('refuses a filter template without its placeholder or that is not a filter', () => {
    const attempts: readonly [Partial<LdapDirectoryOptions>, RegExp][] = [
      [{ userFilter: '(uid=alice)' }, /userFilter must contain \{username\}/],
      [{ userFilter: '(uid={username}' }, /userFilter is not an LDAP filter/],
      [{ userFilter: 'uid={username}' }, /userFilter is not an LDAP filter/],
      [{ userFilter: '(&(objectClass=person)(uid={username})' }, /userFilter is not an LDAP filter/],
      [{ userFilter: '(objectClass=person)(uid={username})' }, /userFilter is not an LDAP filter/],
      [{ userFilter: '(uid={username}))' }, /userFilter is not an LDAP filter/],
      [{ userFilter: '(!(uid={username}))' }, /must compare an attribute with \{username\}/],
      [{ groupFilter: '(member={username})' }, /groupFilter must contain \{dn\}/],
      [{ groupFilter: '(|(member={dn})' }, /groupFilter is not an LDAP filter/],
    ];
    for (const [override, message] of attempts) {
      assert.throws(() => resolveLdapOptions({ ...base, ...override }), message, JSON.stringify(override));
    }
  });

  it('refuses ldaps:// together with StartTLS: one TLS layer (L18)', () => {
    assert.throws(() => resolveLdapOptions({ ...base, url: 'ldaps://127.0.0.1:1636', startTls: true }), /startTls cannot be combined with an ldaps:\/\/ url/);
    assert.equal(resolveLdapOptions({ ...base, url: 'ldaps://127.0.0.1:1636' }).tls, 'ldaps');
    assert.equal(resolveLdapOptions({ ...base, url: 'LDAPS://127.0.0.1:1636', startTls: false }).tls, 'ldaps');
    assert.equal(resolveLdapOptions({ ...base, startTls: true }).tls, 'starttls');
  });

  it('reads the CA file once, refuses an unreadable one, and refuses a CA file without TLS', () => {
    const caFile = join(scratch, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n');
    assert.equal(resolveLdapOptions({ ...base, startTls: true, caFile }).ca?.toString(), '-----BEGIN CERTIFICATE-----\n');
    assert.throws(() => resolveLdapOptions({ ...base, startTls: true, caFile: join(scratch, 'missing.pem') }), /caFile .* cannot be read/);
    assert.throws(() => resolveLdapOptions({ ...base, caFile }), /caFile is set but the connection uses no TLS/);
  });

  it('refuses a missing service-account password instead of searching anonymously (L13)', () => {
    for (const bindPassword of ['', '   ']) {
      assert.throws(() => resolveLdapOptions({ ...base, bindPassword }), /bindPassword is required/);
    }
    assert.throws(() => resolveLdapOptions({ ...base, bindDn: '' }), /bindDn \(the service account\) is required/);
  });

  it('refuses malformed urls, attributes and timeouts without echoing the password', () => {
    const attempts: LdapDirectoryOptions[] = [
      { ...base, url: 'http://127.0.0.1' },
      { ...base, url: 'ldap://127.0.0.1:389/dc=x' },
      { ...base, groupNameAttribute: 'cn)(x' },
      { ...base, idAttribute: '' },
      { ...base, timeoutMs: 0 },
      { ...base, maxGroupDepth: 1.5 },
    ];
    for (const options of attempts) {
      assert.throws(
        () => resolveLdapOptions(options),
        (error: unknown) => error instanceof Error && !error.message.includes(base.bindPassword),
      );
    }
  });

  it('takes the ldap group of Quiver\'s configuration as it is', () => {
    const caFile = join(scratch, 'config-ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n');
    const { ldap } = loadConfig(
      {
        QUIVER_LDAP_URL: 'ldap://127.0.0.1:1389',
        QUIVER_LDAP_STARTTLS: 'true',
        QUIVER_LDAP_CA_FILE: caFile,
        QUIVER_LDAP_BIND_DN: base.bindDn,
        QUIVER_LDAP_BIND_PASSWORD: base.bindPassword,
        QUIVER_LDAP_USER_BASE_DN: base.userBaseDn,
        QUIVER_LDAP_GROUP_BASE_DN: base.groupBaseDn,
        QUIVER_LDAP_USER_FILTER: '(&(objectClass=person)(mail={username}))',
        QUIVER_LDAP_TIMEOUT_MS: '2500',
      },
      { serviceName: 'auth', mode: 'embedded' },
    );
    assert.ok(ldap);
    const resolved = resolveLdapOptions(ldap);
    assert.equal(resolved.tls, 'starttls');
    assert.equal(resolved.usernameAttribute, 'mail');
    assert.equal(resolved.timeoutMs, 2500);
    assert.equal(resolved.ca?.toString(), '-----BEGIN CERTIFICATE-----\n');
  });
});
