import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredFile } from '../simple/project.read-model.js';
import { StoredFiles } from './stored-files.js';

const file = (filename: string): StoredFile => ({ filename, sha256: 'a'.repeat(64), size: 3, blobKey: `blobs/${filename}` });

/** A read model of one project whose rows and serial the test changes. */
function readModel() {
  const state = { serial: 1, rows: new Map([['demo-1.0-py3-none-any.whl', file('demo-1.0-py3-none-any.whl')]]), reads: 0 };
  return {
    state,
    model: {
      storedFile: (_sha256: string, filename: string) => {
        state.reads += 1;
        const row = state.rows.get(filename);
        return Promise.resolve(row ? { file: row, project: 'demo', serial: state.serial } : undefined);
      },
    },
  };
}

describe('StoredFiles', () => {
  it('reads a row once and reuses it while its project serial is unchanged', async () => {
    const { state, model } = readModel();
    const files = new StoredFiles(model, () => state.serial);
    assert.equal((await files.find('a'.repeat(64), 'demo-1.0-py3-none-any.whl'))?.file.blobKey, 'blobs/demo-1.0-py3-none-any.whl');
    await files.find('a'.repeat(64), 'demo-1.0-py3-none-any.whl');
    assert.equal(state.reads, 1);
  });

  it('never serves a row whose project changed since (a deleted file is gone at once)', async () => {
    const { state, model } = readModel();
    const files = new StoredFiles(model, () => Promise.resolve(state.serial));
    await files.find('a'.repeat(64), 'demo-1.0-py3-none-any.whl');
    state.rows.clear();
    state.serial = 2;
    assert.equal(await files.find('a'.repeat(64), 'demo-1.0-py3-none-any.whl'), undefined);
    assert.equal(state.reads, 2);
  });

  it('does not remember a miss, and keeps at most maxEntries rows', async () => {
    const { state, model } = readModel();
    const files = new StoredFiles(model, () => state.serial, 1);
    assert.equal(await files.find('a'.repeat(64), 'demo-2.0-py3-none-any.whl'), undefined);
    state.rows.set('demo-2.0-py3-none-any.whl', file('demo-2.0-py3-none-any.whl'));
    assert.ok(await files.find('a'.repeat(64), 'demo-2.0-py3-none-any.whl'), 'found once it exists, without a serial change');
    await files.find('a'.repeat(64), 'demo-1.0-py3-none-any.whl');
    await files.find('a'.repeat(64), 'demo-2.0-py3-none-any.whl');
    assert.equal(state.reads, 4, 'the second row pushed out the first and the first pushed it out again');
  });
});
