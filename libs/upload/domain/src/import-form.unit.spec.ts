import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importFields, importedFiletype, parseUploadTime, type ImportedMetadata } from './import-form.js';
import { validateUploadForm } from './upload-form.js';

const metadata = (overrides: Partial<ImportedMetadata> = {}): ImportedMetadata => ({
  metadataVersion: '2.1',
  name: 'Acme_Tools',
  version: '1.0',
  summary: 'Tools',
  requiresPython: '>=3.9',
  requiresDist: ['requests>=2'],
  fields: new Map([['classifier', ['Programming Language :: Python :: 3']]]),
  ...overrides,
});
const wheel = { filetype: 'bdist_wheel' as const, pythonTags: ['py2', 'py3'], sha256: 'a'.repeat(64) };

describe('an imported file: its upload form read from its own metadata', () => {
  it('builds the form twine would send, which the upload rules then check', () => {
    const built = importFields(metadata(), wheel, new Map());
    assert.ok(built.ok);
    assert.deepEqual(Object.fromEntries(built.fields), {
      ':action': ['file_upload'],
      protocol_version: ['1'],
      name: ['Acme_Tools'],
      version: ['1.0'],
      metadata_version: ['2.1'],
      filetype: ['bdist_wheel'],
      pyversion: ['py2.py3'],
      requires_dist: ['requests>=2'],
      sha256_digest: ['a'.repeat(64)],
      classifiers: ['Programming Language :: Python :: 3'],
      summary: ['Tools'],
      requires_python: ['>=3.9'],
    });
    assert.equal(validateUploadForm(built.fields).ok, true);
    const sdist = importFields(metadata(), { filetype: 'sdist', pythonTags: [], sha256: 'b'.repeat(64) }, new Map());
    assert.deepEqual(sdist.ok && sdist.fields.get('pyversion'), ['source']);
  });

  it("sends the importer's digests, which the server checks against the bytes, and the bytes' own only when none is given", () => {
    const given = importFields(metadata(), wheel, new Map([['md5_digest', ['c'.repeat(32)]]]));
    assert.ok(given.ok);
    assert.deepEqual([given.fields.get('md5_digest'), given.fields.get('sha256_digest')], [['c'.repeat(32)], undefined]);
  });

  it('refuses a file whose metadata names another project than the one it was taken from', () => {
    assert.equal(importFields(metadata(), wheel, new Map([['name', ['acme-tools']]])).ok, true, 'the same name, normalized');
    const other = importFields(metadata(), wheel, new Map([['name', ['other']]]));
    assert.deepEqual(other.ok ? undefined : other.rejection, { code: 'invalid-metadata', message: "The file's metadata names the project 'Acme_Tools', not 'other'." });
  });

  it('takes the file type from the name', () => {
    assert.deepEqual(['a-1-py3-none-any.whl', 'a-1.tar.gz', 'a-1.zip'].map(importedFiletype), ['bdist_wheel', 'sdist', 'sdist']);
  });

  it('takes an ISO 8601 upload time with a zone, after 2000 and not in the future; none means now', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    assert.deepEqual(parseUploadTime(undefined, now), { ok: true });
    assert.deepEqual(parseUploadTime('', now), { ok: true });
    for (const [text, iso] of [
      ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z'],
      ['2024-05-01T12:00:00.123456Z', '2024-05-01T12:00:00.123Z'],
      ['2024-05-01T14:00+02:00', '2024-05-01T12:00:00.000Z'],
      ['2026-06-01T00:04:00Z', '2026-06-01T00:04:00.000Z'],
    ] as const) {
      const parsed = parseUploadTime(text, now);
      assert.equal(parsed.ok && parsed.value?.toISOString(), iso, text);
    }
    for (const text of ['yesterday', '2024-05-01', '2024-05-01T12:00:00', '1999-12-31T23:59:59Z', '2026-06-01T00:06:00Z', '2024-13-01T00:00:00Z']) {
      const parsed = parseUploadTime(text, now);
      assert.equal(parsed.ok ? 'accepted' : parsed.rejection.code, 'invalid-upload-time', text);
    }
  });
});
