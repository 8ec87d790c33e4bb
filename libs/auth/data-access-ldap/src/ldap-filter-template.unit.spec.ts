import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterParser } from 'ldapts';
import { anyValueTemplate, assertTemplate, fillTemplate, usernameAttributeOf } from './ldap-filter-template.js';

describe('fillTemplate', () => {
  it('puts the escaped value at every placeholder and changes nothing else (L3)', () => {
    assert.equal(fillTemplate('(&(objectClass=person)(uid={username}))', '{username}', 'alice'), '(&(objectClass=person)(uid=alice))');
    assert.equal(fillTemplate('(|(uid={username})(mail={username}))', '{username}', '*)(uid=*'), '(|(uid=\\2a\\29\\28uid=\\2a)(mail=\\2a\\29\\28uid=\\2a))');
    const filter = fillTemplate('(uid={username})', '{username}', '*)(uid=*))(|(uid=*');
    assert.equal(FilterParser.parseString(filter).toString(), filter, 'still one equality comparison');
  });

  it('never reads a value as a replacement pattern', () => {
    assert.equal(fillTemplate('(uid={username})', '{username}', "a$&b$'c$`d$$"), "(uid=a$&b$'c$`d$$)");
  });

  it('escapes a DN as a filter value: DN escapes stay literal (L4)', () => {
    assert.equal(fillTemplate('(member={dn})', '{dn}', 'uid=\\#sam\\+ops\\,eu,ou=people,dc=quiver,dc=test'), '(member=uid=\\5c#sam\\5c+ops\\5c,eu,ou=people,dc=quiver,dc=test)');
    assert.equal(fillTemplate('(member={dn})', '{dn}', 'uid=o*(reilly),ou=people'), '(member=uid=o\\2a\\28reilly\\29,ou=people)');
  });
});

describe('anyValueTemplate', () => {
  it('turns the username comparison into "any username" and keeps every other condition', () => {
    assert.equal(anyValueTemplate('(uid={username})', '{username}'), '(uid=*)');
    assert.equal(anyValueTemplate('(&(objectClass=person)(!(description=disabled))(uid={username}))', '{username}'), '(&(objectClass=person)(!(description=disabled))(uid=*))');
    assert.equal(anyValueTemplate('(cn=*{username}*)', '{username}'), '(cn=*)');
    assert.equal(anyValueTemplate('(userPrincipalName={username}@corp.example)', '{username}'), '(userPrincipalName=*@corp.example)');
  });
});

describe('assertTemplate and usernameAttributeOf', () => {
  it('accepts the defaults and common directory templates', () => {
    for (const template of ['(uid={username})', '(&(objectClass=person)(uid={username}))', '(&(objectClass=user)(sAMAccountName={username}))']) {
      assert.equal(assertTemplate(template, '{username}', 'userFilter'), template);
    }
    assert.equal(assertTemplate('(|(member={dn})(uniqueMember={dn}))', '{dn}', 'groupFilter'), '(|(member={dn})(uniqueMember={dn}))');
  });

  it('finds the attribute that holds the username', () => {
    assert.equal(usernameAttributeOf('(uid={username})'), 'uid');
    assert.equal(usernameAttributeOf('(&(objectClass=person)(!(uid=root))(|(mail={username})(uid={username})))'), 'mail');
    assert.equal(usernameAttributeOf('(&(objectClass=user)(userPrincipalName={username}@corp.example))'), 'userPrincipalName');
    assert.throws(() => usernameAttributeOf('(&(objectClass=person)(!(uid={username})))'), /must compare an attribute/);
  });
});
