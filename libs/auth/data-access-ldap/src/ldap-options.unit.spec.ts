import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLdapOptions, type LdapDirectoryOptions } from './ldap-options.js';

const base: LdapDirectoryOptions = {
  url: 'ldap://127.0.0.1:1389',
  bindDn: 'cn=svc,dc=example,dc=test',
  bindPassword: 'not-echoed-7f3a',
  userBaseDn: 'ou=people,dc=example,dc=test',
  groupBaseDn: 'ou=groups,dc=example,dc=test',
};

describe('resolveLdapOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveLdapOptions(base);
    assert.equal(resolved.usernameAttribute, 'uid');
    assert.equal(resolved.idAttribute, 'entryUUID');
    assert.equal(resolved.groupObjectClass, 'groupOfNames');
    assert.equal(resolved.timeoutMs, 10_000);
    assert.equal(resolved.connectTimeoutMs, 10_000);
    assert.equal(resolved.maxGroupDepth, 10);
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
      { ...base, usernameAttribute: 'uid)(x' },
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
});
