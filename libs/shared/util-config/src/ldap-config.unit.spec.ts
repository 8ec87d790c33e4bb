import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const defaults = { serviceName: 'auth', mode: 'embedded' } as const;
const secret = 'svc-Secret-4d1f';
const scratch = mkdtempSync(join(tmpdir(), 'ldap-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const file = (name: string, content: string): string => {
  const path = join(scratch, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
};
const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** `env` without the named settings. */
const without = (env: Readonly<Record<string, string>>, ...names: string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));

const minimal = {
  QUIVER_LDAP_URL: 'ldap://127.0.0.1:389',
  QUIVER_LDAP_BIND_DN: 'cn=quiver,ou=services,dc=example,dc=test',
  QUIVER_LDAP_BIND_PASSWORD: secret,
  QUIVER_LDAP_USER_BASE_DN: 'ou=people,dc=example,dc=test',
  QUIVER_LDAP_GROUP_BASE_DN: 'ou=groups,dc=example,dc=test',
} as const;

/** The ConfigError `env` causes; fails when there is none. Every message is checked for the password. */
function problemsOf(env: Readonly<Record<string, string>>): readonly string[] {
  try {
    loadConfig(env, defaults);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.doesNotMatch(error.message, new RegExp(secret), 'the bind password is never echoed');
    return error.problems;
  }
  return assert.fail('expected a ConfigError');
}

describe('loadConfig: the ldap group', () => {
  it('is absent without QUIVER_LDAP_URL', () => {
    assert.equal(loadConfig({}, defaults).ldap, undefined);
  });

  it('refuses other QUIVER_LDAP_* settings without QUIVER_LDAP_URL, naming them and not their values', () => {
    const problems = problemsOf(without(minimal, 'QUIVER_LDAP_URL'));
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /QUIVER_LDAP_BIND_DN, QUIVER_LDAP_BIND_PASSWORD, .* set but QUIVER_LDAP_URL is not/);
  });

  it('reads the required settings and fills in the documented defaults', () => {
    assert.deepEqual(loadConfig(minimal, defaults).ldap, {
      url: 'ldap://127.0.0.1:389',
      startTls: false,
      bindDn: 'cn=quiver,ou=services,dc=example,dc=test',
      bindPassword: secret,
      userBaseDn: 'ou=people,dc=example,dc=test',
      userFilter: '(uid={username})',
      groupBaseDn: 'ou=groups,dc=example,dc=test',
      groupFilter: '(|(member={dn})(uniqueMember={dn}))',
      groupNameAttribute: 'cn',
      timeoutMs: 10_000,
    });
    assert.deepEqual(loadConfig(minimal, defaults).directory, { cacheSeconds: 300, graceSeconds: 3600 });
  });

  it('reads every optional setting', () => {
    const caFile = file('ca.pem', caPem);
    const ldap = loadConfig(
      {
        ...minimal,
        QUIVER_LDAP_STARTTLS: 'TRUE',
        QUIVER_LDAP_CA_FILE: caFile,
        QUIVER_LDAP_USER_FILTER: '(&(objectClass=user)(sAMAccountName={username}))',
        QUIVER_LDAP_GROUP_FILTER: '(&(objectClass=group)(member={dn}))',
        QUIVER_LDAP_GROUP_NAME_ATTRIBUTE: 'sAMAccountName',
        QUIVER_LDAP_TIMEOUT_MS: '2500',
        QUIVER_LDAP_CACHE_SECONDS: '0',
      },
      defaults,
    ).ldap;
    assert.equal(ldap?.startTls, true);
    assert.equal(ldap.caFile, caFile);
    assert.equal(ldap.userFilter, '(&(objectClass=user)(sAMAccountName={username}))');
    assert.equal(ldap.groupFilter, '(&(objectClass=group)(member={dn}))');
    assert.equal(ldap.groupNameAttribute, 'sAMAccountName');
    assert.equal(ldap.timeoutMs, 2500);
  });

  it('reads the directory timing in every service, with LDAP on in it or not', () => {
    assert.deepEqual(loadConfig({ QUIVER_LDAP_CACHE_SECONDS: '0', QUIVER_LDAP_GRACE_SECONDS: '60' }, defaults).directory, { cacheSeconds: 0, graceSeconds: 60 });
    assert.equal(loadConfig({ QUIVER_LDAP_CACHE_SECONDS: '5' }, defaults).ldap, undefined, 'timing alone is no stray LDAP setting');
    assert.match(problemsOf({ QUIVER_LDAP_GRACE_SECONDS: 'soon' }).join('\n'), /QUIVER_LDAP_GRACE_SECONDS/);
  });

  it('requires the service account, a password and both base DNs once QUIVER_LDAP_URL is set', () => {
    const problems = problemsOf({ QUIVER_LDAP_URL: 'ldaps://ldap.example.test:636' });
    assert.equal(problems.length, 4, problems.join('\n'));
    for (const name of ['QUIVER_LDAP_BIND_DN', 'QUIVER_LDAP_BIND_PASSWORD or QUIVER_LDAP_BIND_PASSWORD_FILE', 'QUIVER_LDAP_USER_BASE_DN', 'QUIVER_LDAP_GROUP_BASE_DN']) {
      assert.ok(problems.some((problem) => problem.startsWith(`${name} is required`)), name);
    }
  });

  it('refuses ldaps:// together with QUIVER_LDAP_STARTTLS=true at start-up: one TLS layer (L18)', () => {
    const problems = problemsOf({ ...minimal, QUIVER_LDAP_URL: 'ldaps://ldap.example.test:636', QUIVER_LDAP_STARTTLS: 'true' });
    assert.deepEqual(problems, [
      'QUIVER_LDAP_STARTTLS=true cannot be combined with an ldaps:// QUIVER_LDAP_URL: that connection is TLS already (one TLS layer). Use one of them.',
    ]);
    assert.equal(loadConfig({ ...minimal, QUIVER_LDAP_URL: 'ldaps://ldap.example.test:636' }, defaults).ldap?.startTls, false);
    assert.equal(loadConfig({ ...minimal, QUIVER_LDAP_STARTTLS: 'true' }, defaults).ldap?.startTls, true);
  });

  it('refuses a URL that is not ldap:// or ldaps://, and a STARTTLS that is not a boolean', () => {
    for (const url of ['http://ldap.example.test', 'ldap.example.test:389', 'ldap://ldap.example.test/dc=example', 'ldap://']) {
      assert.ok(problemsOf({ ...minimal, QUIVER_LDAP_URL: url }).some((problem) => problem.startsWith('QUIVER_LDAP_URL must look like')), url);
    }
    assert.deepEqual(problemsOf({ ...minimal, QUIVER_LDAP_STARTTLS: 'yes' }), ["QUIVER_LDAP_STARTTLS must be true or false, not 'yes'."]);
  });

  it('reads the password file at start, dropping one trailing newline and nothing else', () => {
    const withoutPassword = without(minimal, 'QUIVER_LDAP_BIND_PASSWORD');
    for (const [content, expected] of [
      [`${secret}\n`, secret],
      [`${secret}\r\n`, secret],
      [secret, secret],
      [` ${secret} \n\n`, ` ${secret} \n`],
    ] as const) {
      const path = file('bind.pw', content);
      assert.equal(loadConfig({ ...withoutPassword, QUIVER_LDAP_BIND_PASSWORD_FILE: path }, defaults).ldap?.bindPassword, expected, JSON.stringify(content));
    }
    assert.equal(loadConfig({ ...minimal, QUIVER_LDAP_BIND_PASSWORD: ` ${secret} ` }, defaults).ldap?.bindPassword, ` ${secret} `, 'the value is used as given');
  });

  it('refuses both password settings, an unreadable or empty password file, and an empty password', () => {
    const withoutPassword = without(minimal, 'QUIVER_LDAP_BIND_PASSWORD');
    assert.deepEqual(problemsOf({ ...minimal, QUIVER_LDAP_BIND_PASSWORD_FILE: file('both.pw', secret) }), [
      'Set QUIVER_LDAP_BIND_PASSWORD or QUIVER_LDAP_BIND_PASSWORD_FILE, not both.',
    ]);
    const missing = join(scratch, 'missing.pw');
    assert.deepEqual(problemsOf({ ...withoutPassword, QUIVER_LDAP_BIND_PASSWORD_FILE: missing }), [`QUIVER_LDAP_BIND_PASSWORD_FILE '${missing}' cannot be read (ENOENT).`]);
    assert.match(problemsOf({ ...withoutPassword, QUIVER_LDAP_BIND_PASSWORD_FILE: file('empty.pw', '\n') })[0] ?? '', /bind password .* is empty/);
    assert.match(problemsOf({ ...minimal, QUIVER_LDAP_BIND_PASSWORD: '   ' })[0] ?? '', /bind password \(QUIVER_LDAP_BIND_PASSWORD\) is empty/);
  });

  it('refuses a CA file that cannot be read, holds no certificate, or comes without TLS', () => {
    const tls = { ...minimal, QUIVER_LDAP_STARTTLS: 'true' };
    const missing = join(scratch, 'missing-ca.pem');
    assert.deepEqual(problemsOf({ ...tls, QUIVER_LDAP_CA_FILE: missing }), [`QUIVER_LDAP_CA_FILE '${missing}' cannot be read (ENOENT).`]);
    const notPem = file('not-a-ca.pem', 'hello');
    assert.deepEqual(problemsOf({ ...tls, QUIVER_LDAP_CA_FILE: notPem }), [`QUIVER_LDAP_CA_FILE '${notPem}' holds no PEM certificate.`]);
    assert.deepEqual(problemsOf({ ...tls, QUIVER_LDAP_CA_FILE: scratch }), [`QUIVER_LDAP_CA_FILE '${scratch}' holds no PEM certificate.`]);
    assert.deepEqual(problemsOf({ ...minimal, QUIVER_LDAP_CA_FILE: file('plain-ca.pem', caPem) }), [
      'QUIVER_LDAP_CA_FILE is set but the connection uses no TLS: use an ldaps:// QUIVER_LDAP_URL or QUIVER_LDAP_STARTTLS=true.',
    ]);
    if (process.getuid?.() !== 0) {
      // root reads any file, so an unreadable one can only be shown to other users
      const unreadable = file('unreadable-ca.pem', caPem);
      chmodSync(unreadable, 0o000);
      assert.deepEqual(problemsOf({ ...tls, QUIVER_LDAP_CA_FILE: unreadable }), [`QUIVER_LDAP_CA_FILE '${unreadable}' cannot be read (EACCES).`]);
    }
  });

  it('refuses filter templates without their placeholder or that are not one filter', () => {
    const cases: readonly (readonly [Record<string, string>, RegExp])[] = [
      [{ QUIVER_LDAP_USER_FILTER: '(uid=alice)' }, /QUIVER_LDAP_USER_FILTER must contain \{username\}/],
      [{ QUIVER_LDAP_USER_FILTER: '(uid={dn})' }, /QUIVER_LDAP_USER_FILTER must contain \{username\}/],
      [{ QUIVER_LDAP_USER_FILTER: 'uid={username}' }, /QUIVER_LDAP_USER_FILTER must be one LDAP filter in parentheses/],
      [{ QUIVER_LDAP_USER_FILTER: '(&(objectClass=person)(uid={username})' }, /QUIVER_LDAP_USER_FILTER must be one LDAP filter/],
      [{ QUIVER_LDAP_USER_FILTER: '(objectClass=person)(uid={username})' }, /QUIVER_LDAP_USER_FILTER must be one LDAP filter/],
      [{ QUIVER_LDAP_GROUP_FILTER: '(member={username})' }, /QUIVER_LDAP_GROUP_FILTER must contain \{dn\}/],
      [{ QUIVER_LDAP_GROUP_FILTER: '(|(member={dn})(uniqueMember={dn})))' }, /QUIVER_LDAP_GROUP_FILTER must be one LDAP filter/],
      [{ QUIVER_LDAP_GROUP_NAME_ATTRIBUTE: 'cn)(x' }, /QUIVER_LDAP_GROUP_NAME_ATTRIBUTE must be an LDAP attribute name/],
      [{ QUIVER_LDAP_TIMEOUT_MS: '0' }, /QUIVER_LDAP_TIMEOUT_MS must be a whole number from 1 to 600000/],
      [{ QUIVER_LDAP_TIMEOUT_MS: '5s' }, /QUIVER_LDAP_TIMEOUT_MS must be a whole number/],
      [{ QUIVER_LDAP_CACHE_SECONDS: '-1' }, /QUIVER_LDAP_CACHE_SECONDS must be a whole number from 0 to 86400/],
    ];
    for (const [override, message] of cases) {
      const problems = problemsOf({ ...minimal, ...override });
      assert.equal(problems.length, 1, `${JSON.stringify(override)}: ${problems.join('; ')}`);
      assert.match(problems[0] ?? '', message);
    }
  });

  it('reports LDAP problems together with every other setting\'s', () => {
    const problems = problemsOf({ ...minimal, QUIVER_PORT: '70000', QUIVER_LDAP_URL: 'ldaps://x:636', QUIVER_LDAP_STARTTLS: 'true' });
    assert.equal(problems.length, 2);
  });
});
