import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPrincipalName, groupPrincipal, type Caller } from './access-policy.js';
import { refusal } from './refusal.js';
import { allows, allowsEverywhere, allowsSomewhere, permissionByName, permissionName, TOKEN_KINDS } from './token-scope.js';

const developer: Caller = { name: 'alice', grants: [{ role: 'developer', pattern: '*' }, { role: 'admin', pattern: 'acme-*' }] };
const scoped = (token: Partial<NonNullable<Caller['token']>>): Caller => ({ ...developer, token: { id: 'tk_1', kind: 'personal', ...token } });

describe('token scope', () => {
  it('never lets a token do more than its principal may', () => {
    const reader: Caller = { name: 'r', grants: [{ role: 'reader', pattern: '*' }], token: { id: 'tk_1', kind: 'ci', permissions: ['package:install', 'package:publish'] } };
    assert.equal(allows(reader, 'package:install', 'demo'), true);
    assert.equal(allows(reader, 'package:publish', 'demo'), false, 'the token names publish, the principal may not');
  });

  it('narrows to the packages and permissions the token names', () => {
    const token = scoped({ packages: ['acme-*'], permissions: ['package:install'] });
    assert.equal(allows(token, 'package:install', 'acme-tools'), true);
    assert.equal(allows(token, 'package:install', 'other-pkg'), false);
    assert.equal(allows(token, 'package:publish', 'acme-tools'), false);
    assert.equal(allowsEverywhere(token, 'package:install'), false, 'a listing must be filtered');
    assert.equal(allowsSomewhere(token, 'package:publish'), false, 'refused before the body');
    assert.equal(allowsSomewhere(token, 'package:install'), true);
  });

  it('keeps a package-restricted token away from registry administration', () => {
    const admin: Caller = { name: 'root', grants: [{ role: 'admin', pattern: '*' }] };
    assert.equal(allows({ ...admin, token: { id: 'tk_1', kind: 'personal' } }, 'admin:*'), true);
    assert.equal(allows({ ...admin, token: { id: 'tk_1', kind: 'personal', packages: ['*'] } }, 'admin:*'), false);
    assert.equal(allows({ ...admin, token: { id: 'tk_1', kind: 'personal', permissions: ['package:install'] } }, 'admin:*'), false);
  });

  it('leaves a caller without a token (a password, the bootstrap administrator) to its grants', () => {
    assert.equal(allows(developer, 'package:publish', 'anything'), true);
    assert.equal(allowsEverywhere(developer, 'package:install'), true);
  });

  it('knows each kind\'s lives and the short permission names', () => {
    assert.equal(TOKEN_KINDS.personal.maxSeconds, 90 * 86_400);
    assert.equal(TOKEN_KINDS.ci.defaultSeconds, 90 * 86_400);
    assert.equal(TOKEN_KINDS.emergency.maxSeconds, 86_400);
    assert.equal(permissionByName('publish'), 'package:publish');
    assert.equal(permissionByName('toString'), undefined);
    assert.equal(permissionName('admin:*'), 'admin');
  });

  it('names directory groups group:<name> in lower case', () => {
    assert.equal(groupPrincipal(' Platform Team '), 'group:platform team');
    assert.equal(checkPrincipalName('group:platform team'), undefined);
    assert.notEqual(checkPrincipalName('group:'), undefined);
    assert.notEqual(checkPrincipalName('group:a/b'), undefined);
  });
});

describe('refusal', () => {
  it('blames the principal when it holds no such grant, and the token when the token is narrower', () => {
    const reader: Caller = { name: 'u2', grants: [{ role: 'reader', pattern: '*' }] };
    assert.deepEqual(refusal(reader, 'package:publish', 'demo'), {
      code: 'forbidden',
      message: "The user 'u2' isn't allowed to upload to project 'demo'. See `quiver grant --help` for more information.",
    });
    assert.equal(refusal(reader, 'admin:*')?.message, "The user 'u2' isn't allowed to administer this registry. See `quiver grant --help` for more information.");
    assert.deepEqual(refusal(scoped({ packages: ['alpha'] }), 'package:publish', 'beta'), { code: 'token-scope', message: "Invalid API Token: project-scoped token is not valid for project: 'beta'" });
    const admin: Caller = { name: 'root', grants: [{ role: 'admin', pattern: '*' }], token: { id: 'tk_1', kind: 'ci', permissions: ['package:publish'] } };
    assert.deepEqual(refusal(admin, 'admin:*'), { code: 'token-scope', message: 'Invalid API Token: the token is not valid for permission: admin' });
    assert.equal(refusal(scoped({ packages: ['alpha'] }), 'package:publish', 'alpha'), undefined);
  });
});
