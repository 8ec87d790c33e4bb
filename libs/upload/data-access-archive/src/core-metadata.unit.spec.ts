import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metadataVersionAtLeast, parseCoreMetadata } from './core-metadata.js';

const parse = (text: string) => parseCoreMetadata(Buffer.from(text));

describe('core metadata', () => {
  it('reads single, repeated and continued fields, and the body as the description', () => {
    const metadata = parse(
      [
        'Metadata-Version: 2.4',
        'Name: Demo.Pkg',
        'Version: 1.0',
        'Summary: A demo',
        'Requires-Python: >=3.9',
        'Requires-Dist: attrs>=22',
        'requires-dist: idna; extra == "idna"',
        'License-File: LICENSE',
        'License-File: NOTICE',
        'Dynamic: Requires-Dist',
        'Classifier: A :: B',
        'Keywords: one,',
        '  two',
        '',
        '# Demo',
        '',
        'Body: not a header',
      ].join('\r\n'),
    );
    assert.equal(metadata.metadataVersion, '2.4');
    assert.equal(metadata.name, 'Demo.Pkg');
    assert.equal(metadata.version, '1.0');
    assert.equal(metadata.summary, 'A demo');
    assert.equal(metadata.requiresPython, '>=3.9');
    assert.deepEqual(metadata.requiresDist, ['attrs>=22', 'idna; extra == "idna"']);
    assert.deepEqual(metadata.licenseFiles, ['LICENSE', 'NOTICE']);
    assert.deepEqual(metadata.dynamic, ['Requires-Dist']);
    assert.deepEqual(metadata.fields.get('keywords'), ['one,\ntwo']);
    assert.deepEqual(metadata.fields.get('classifier'), ['A :: B']);
    assert.equal(metadata.fields.has('body'), false);
    assert.equal(metadata.description, '# Demo\n\nBody: not a header');
  });

  it('leaves absent fields empty and ignores lines that are not headers', () => {
    const metadata = parse('garbage line\nName: x\n');
    assert.equal(metadata.metadataVersion, '');
    assert.equal(metadata.name, 'x');
    assert.equal(metadata.version, '');
    assert.equal(metadata.summary, undefined);
    assert.deepEqual(metadata.requiresDist, []);
  });

  it('compares metadata versions numerically', () => {
    assert.equal(metadataVersionAtLeast('2.4', 2, 4), true);
    assert.equal(metadataVersionAtLeast('2.10', 2, 4), true);
    assert.equal(metadataVersionAtLeast('2.3', 2, 4), false);
    assert.equal(metadataVersionAtLeast('two', 2, 4), false);
  });
});
