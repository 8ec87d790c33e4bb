import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexedFile, ProjectListEntry, ProjectPage } from './project-page.model.js';
import { demoPage } from './project-page.fixture.js';

describe('project page model', () => {
  it('distinguishes yanked files by the union, not by a flag', () => {
    const reasons = demoPage.files.map((file: IndexedFile) => (file.yanked === false ? null : file.yanked.reason));
    assert.deepEqual(reasons, ['', null, "broken <build> & 'bad'"]);
  });

  it('keeps optional fields absent rather than empty', () => {
    const [old] = demoPage.files;
    assert.ok(old);
    assert.equal('requiresPython' in old, false);
    assert.equal('coreMetadataSha256' in old, false);
  });

  it('describes list entries and pages with the same name and serial fields', () => {
    const entry: ProjectListEntry = { name: demoPage.name, lastSerial: demoPage.lastSerial };
    const page: ProjectPage = { ...entry, versions: [], files: [] };
    assert.deepEqual(page, { name: 'demo', lastSerial: 42, versions: [], files: [] });
  });
});
