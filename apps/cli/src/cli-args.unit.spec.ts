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

  it('explains what is missing', () => {
    assert.deepEqual(parseCli(['yank', 'demo']), { error: 'yank takes <project> <version>' });
    assert.deepEqual(parseCli(['frobnicate']), { error: "unknown command 'frobnicate'" });
    assert.deepEqual(parseCli([]), { kind: 'help' });
  });
});
