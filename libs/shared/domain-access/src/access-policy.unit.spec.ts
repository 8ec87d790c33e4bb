import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BOOTSTRAP_ADMIN, checkPrincipalName, parsePackagePattern, permits, permitsEverywhere, permitsSomewhere, type Grant } from './access-policy.js';

describe('access policy', () => {
  it('canonicalises package patterns and refuses malformed ones', () => {
    assert.deepEqual(parsePackagePattern('Acme.Widget_Tools'), { ok: true, pattern: 'acme-widget-tools' });
    assert.deepEqual(parsePackagePattern('Acme.*'), { ok: true, pattern: 'acme-*' });
    assert.deepEqual(parsePackagePattern('*'), { ok: true, pattern: '*' });
    for (const bad of ['', 'a*b', '**', 'a b', 'a/b', 'x'.repeat(201)]) {
      assert.equal(parsePackagePattern(bad).ok, false, bad);
    }
  });

  it('grants a role only on the projects its pattern matches', () => {
    const grants: Grant[] = [{ role: 'developer', pattern: 'acme-*' }, { role: 'reader', pattern: 'shared' }];
    assert.equal(permits(grants, 'package:publish', 'acme-widget'), true);
    assert.equal(permits(grants, 'package:install', 'acme-widget'), true);
    assert.equal(permits(grants, 'package:publish', 'acme'), false, 'the prefix is acme-, not acme');
    assert.equal(permits(grants, 'package:install', 'shared'), true);
    assert.equal(permits(grants, 'package:publish', 'shared'), false, 'a reader does not publish');
    assert.equal(permits(grants, 'package:install', 'shared-extra'), false, 'an exact pattern is not a prefix');
    assert.equal(permits(grants, 'package:yank', 'acme-widget'), false, 'developers do not yank');
    assert.equal(permits(grants, 'admin:*'), false);
    assert.equal(permits([], 'package:install', 'demo'), false);
  });

  it('keeps administration for the admin role on every project', () => {
    assert.equal(permits(BOOTSTRAP_ADMIN.grants, 'admin:*'), true);
    assert.equal(permits(BOOTSTRAP_ADMIN.grants, 'package:delete', 'anything'), true);
    const scopedAdmin: Grant[] = [{ role: 'admin', pattern: 'acme-*' }];
    assert.equal(permits(scopedAdmin, 'package:delete', 'acme-x'), true);
    assert.equal(permits(scopedAdmin, 'admin:*'), false, 'an admin of some projects does not administer the registry');
  });

  it('knows when a caller may read everything', () => {
    assert.equal(permitsEverywhere([{ role: 'reader', pattern: '*' }], 'package:install'), true);
    assert.equal(permitsEverywhere([{ role: 'reader', pattern: 'a*' }], 'package:install'), false);
    assert.equal(permitsEverywhere([{ role: 'reader', pattern: '*' }], 'package:publish'), false);
  });

  it('knows when a caller may do something on no project at all', () => {
    assert.equal(permitsSomewhere([{ role: 'developer', pattern: 'acme-*' }], 'package:publish'), true);
    assert.equal(permitsSomewhere([{ role: 'reader', pattern: '*' }, { role: 'reader', pattern: 'x' }], 'package:publish'), false);
    assert.equal(permitsSomewhere([], 'package:install'), false);
    assert.equal(permitsSomewhere([{ role: 'admin', pattern: 'acme-*' }], 'admin:*'), false);
    assert.equal(permitsSomewhere(BOOTSTRAP_ADMIN.grants, 'admin:*'), true);
  });

  it('accepts login-style principal names and keeps admin for the bootstrap administrator', () => {
    for (const name of ['u2', 'alice', 'ci-payments', 'j.doe_2']) {
      assert.equal(checkPrincipalName(name), undefined, name);
    }
    for (const name of ['', 'Alice', '-x', 'x-', 'a b', 'a/b', 'x'.repeat(65), 'admin']) {
      assert.notEqual(checkPrincipalName(name), undefined, name);
    }
  });
});
