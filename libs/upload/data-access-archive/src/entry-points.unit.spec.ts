import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidEntryPoints } from './entry-points.js';

const valid = (text: string): boolean => isValidEntryPoints(Buffer.from(text));

describe('entry_points.txt', () => {
  it('accepts groups of name = object reference lines, comments and blank lines', () => {
    assert.equal(valid('# comment\n[console_scripts]\ndemo = demo.cli:main\nother-tool=demo.cli:Main.run [cli, extra]\n\n[pytest11]\ndemo = demo.plugin\n'), true);
    assert.equal(valid(''), true);
  });

  it('refuses bad groups, names, values and non-UTF-8 bytes', () => {
    for (const text of [
      'demo = demo:main\n', // outside a group
      '[]\ndemo = demo:main\n',
      '[bad group]\ndemo = demo:main\n',
      '[a]\nx = a:b\n[a]\ny = a:b\n', // duplicate group
      '[a]\nx = a:b\nx = a:c\n', // duplicate name
      '[a]\n= a:b\n',
      '[a]\n[x = a:b\n',
      '[a]\nx = 1bad:b\n',
      '[a]\nx = a:b:c\n',
      '[a]\nx\n',
      '[a]\nx = a:b\n  y = a:c\n', // continuation line
    ]) {
      assert.equal(valid(text), false, JSON.stringify(text));
    }
    assert.equal(isValidEntryPoints(Uint8Array.from([0x5b, 0x61, 0x5d, 0x0a, 0x78, 0x3d, 0xc3])), false);
  });
});
