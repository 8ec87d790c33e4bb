import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli, toRequest } from './cli-args.js';

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

  it('explains what is missing', () => {
    assert.deepEqual(parseCli(['yank', 'demo']), { error: 'yank takes <project> <version>' });
    assert.deepEqual(parseCli(['frobnicate']), { error: "unknown command 'frobnicate'" });
    assert.deepEqual(parseCli([]), { kind: 'help' });
  });
});
