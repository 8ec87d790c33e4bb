import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maintenanceReport, parseCli, toRequest } from './cli-args.js';

describe('quiver CLI arguments', () => {
  it('maps commands to admin API requests', () => {
    const yank = parseCli(['yank', 'Acme.Widget', '1.0', '--reason', 'broken build']);
    assert.deepEqual(yank, { kind: 'yank', project: 'Acme.Widget', version: '1.0', reason: 'broken build' });
    assert.ok('kind' in yank && yank.kind === 'yank');
    assert.deepEqual(toRequest(yank), { method: 'POST', path: '/api/packages/Acme.Widget/releases/1.0/yank', body: '{"reason":"broken build"}' });
    const remove = parseCli(['delete', 'demo', 'demo-1.0.tar.gz']);
    assert.ok('kind' in remove && remove.kind === 'delete');
    assert.deepEqual(toRequest(remove), { method: 'DELETE', path: '/api/packages/demo/files/demo-1.0.tar.gz' });
  });

  it('manages grants and tokens through the auth service', () => {
    const grant = parseCli(['grant', 'u2', 'developer', 'acme-*']);
    assert.ok('kind' in grant && grant.kind === 'grant');
    assert.deepEqual(toRequest(grant), { method: 'PUT', path: '/api/auth/principals/u2/grants/developer/acme-*' });
    const revoke = parseCli(['revoke', 'u2', 'reader', '*']);
    assert.ok('kind' in revoke && revoke.kind === 'revoke');
    assert.deepEqual(toRequest(revoke), { method: 'DELETE', path: '/api/auth/principals/u2/grants/reader/*' });
    const create = parseCli(['token', 'create', 'ci-payments', '--description', 'CI, payments repo']);
    assert.ok('kind' in create && create.kind === 'token-create');
    assert.deepEqual(toRequest(create), { method: 'POST', path: '/api/auth/principals/ci-payments/tokens', body: '{"description":"CI, payments repo"}' });
    const drop = parseCli(['token', 'revoke', 'tk_0123456789abcdef']);
    assert.ok('kind' in drop && drop.kind === 'token-revoke');
    assert.deepEqual(toRequest(drop), { method: 'DELETE', path: '/api/auth/tokens/tk_0123456789abcdef' });
    const show = parseCli(['principal', 'u2']);
    assert.ok('kind' in show && show.kind === 'principal');
    assert.deepEqual(toRequest(show), { method: 'GET', path: '/api/auth/principals/u2' });
    assert.deepEqual(parseCli(['grant', 'u2', 'reader']), { error: 'grant takes <principal> <role> <pattern>' });
    assert.deepEqual(parseCli(['token', 'list']), { error: 'token takes create <principal> [--description <text>], or revoke <token id>' });
    assert.deepEqual(parseCli(['grant', '--help']), { kind: 'help' }, 'what the 403 for an upload without a grant points at');
  });

  it('shows and changes project settings', () => {
    const show = parseCli(['settings', 'demo']);
    assert.ok('kind' in show && show.kind === 'settings');
    assert.deepEqual(toRequest(show), { method: 'GET', path: '/api/packages/demo/settings' });
    const close = parseCli(['settings', 'demo', '--close-releases-after', '14d']);
    assert.ok('kind' in close && close.kind === 'settings');
    assert.deepEqual(toRequest(close), { method: 'PUT', path: '/api/packages/demo/settings', body: '{"closeReleasesAfter":"14d"}' });
    const off = parseCli(['settings', '--close-releases-after', 'off', 'demo']);
    assert.ok('kind' in off && off.kind === 'settings');
    assert.deepEqual(toRequest(off), { method: 'PUT', path: '/api/packages/demo/settings', body: '{"closeReleasesAfter":null}' });
    assert.deepEqual(parseCli(['settings', 'demo', '--close-releases-after']), { error: '--close-releases-after takes a duration such as 14d, or off' });
  });

  it('runs the blob maintenance jobs and reports their findings', () => {
    const gc = parseCli(['gc']);
    assert.ok('kind' in gc && gc.kind === 'gc');
    assert.deepEqual(toRequest(gc), { method: 'POST', path: '/api/maintenance/gc' });
    const drill = parseCli(['gc', '--grace-seconds', '0']);
    assert.ok('kind' in drill && drill.kind === 'gc');
    assert.deepEqual(toRequest(drill), { method: 'POST', path: '/api/maintenance/gc?graceSeconds=0' });
    assert.deepEqual(parseCli(['gc', '--grace-seconds', 'soon']), { error: '--grace-seconds takes a whole number of seconds' });
    const reconcile = parseCli(['reconcile']);
    assert.ok('kind' in reconcile && reconcile.kind === 'reconcile');
    assert.deepEqual(toRequest(reconcile), { method: 'POST', path: '/api/maintenance/reconcile' });

    assert.deepEqual(maintenanceReport('gc', { graceSeconds: 0, scanned: 3, kept: 2, removed: ['files/ab/cd/abcd'] }), {
      text: 'removed files/ab/cd/abcd\n1 orphan blob(s) removed, 2 of 3 kept (grace 0 s)\n',
      code: 0,
    });
    assert.deepEqual(maintenanceReport('reconcile', { checked: 4, missing: [], corrupt: [] }), { text: '4 object(s) checked, 0 missing, 0 corrupt\n', code: 0 });
    const bad = maintenanceReport('reconcile', {
      checked: 4,
      missing: [{ project: 'demo', filename: 'demo-1.0.tar.gz', blobKey: 'files/aa/bb/x' }],
      corrupt: [{ project: 'demo', filename: 'demo-1.0-py3-none-any.whl.metadata', blobKey: 'metadata/cc/dd/y' }],
    });
    assert.equal(bad.code, 1);
    assert.equal(
      bad.text,
      'MISSING demo demo-1.0.tar.gz files/aa/bb/x\nCORRUPT demo demo-1.0-py3-none-any.whl.metadata metadata/cc/dd/y\n4 object(s) checked, 1 missing, 1 corrupt\n',
    );
  });

  it('explains what is missing', () => {
    assert.deepEqual(parseCli(['yank', 'demo']), { error: 'yank takes <project> <version>' });
    assert.deepEqual(parseCli(['frobnicate']), { error: "unknown command 'frobnicate'" });
    assert.deepEqual(parseCli([]), { kind: 'help' });
  });
});
