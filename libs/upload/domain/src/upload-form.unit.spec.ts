import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateUploadForm, type UploadFields } from './upload-form.js';

const SHA = 'a'.repeat(64);
const base: Record<string, string | string[]> = {
  ':action': 'file_upload',
  protocol_version: '1',
  name: 'demo',
  version: '1.0',
  metadata_version: '2.1',
  filetype: 'sdist',
  pyversion: 'source',
  sha256_digest: SHA,
};

const fields = (overrides: Record<string, string | string[] | undefined>): UploadFields => {
  const merged = { ...base, ...overrides };
  return new Map(
    Object.entries(merged).flatMap(([key, value]) => (value === undefined ? [] : [[key, Array.isArray(value) ? value : [value]] as const])),
  );
};

const messageOf = (overrides: Record<string, string | string[] | undefined>): string => {
  const result = validateUploadForm(fields(overrides));
  return result.ok ? 'accepted' : result.rejection.message;
};

describe('upload form (BAD-INPUT 1-16, 47)', () => {
  it('accepts what twine sends for an sdist', () => {
    const result = validateUploadForm(fields({ md5_digest: 'b'.repeat(32), requires_dist: ['requests>=2', 'rich; extra == "cli"'] }));
    assert.ok(result.ok);
    assert.equal(result.value.digests.sha256, SHA);
    assert.deepEqual(result.value.requiresDist, ['requests>=2', 'rich; extra == "cli"']);
  });

  it('answers each bad field with the message users search for', () => {
    const cases: [Record<string, string | string[] | undefined>, RegExp][] = [
      [{ protocol_version: '2' }, /^Unknown protocol version\.$/],
      [{ name: undefined }, /^'' is an invalid value for Name\. Error: This field is required\. See https:\/\/packaging\.python\.org\/specifications\/core-metadata/],
      [{ name: 'foo-' }, /^'foo-' is an invalid value for Name\. Error: Start and end with a letter or numeral/],
      [{ name: 'föö' }, /^'föö' is an invalid value for Name/],
      [{ name: 'a/b' }, /^'a\/b' is an invalid value for Name/],
      [{ version: 'dog' }, /^'dog' is invalid for 'version'\./],
      [{ version: '1.0.dev.a1' }, /^'1\.0\.dev\.a1' is invalid for 'version'\./],
      [{ metadata_version: undefined }, /^None is not a valid metadata version\./],
      [{ metadata_version: '-1' }, /^'-1' is not a valid metadata version\./],
      [{ filetype: 'bdist_egg' }, /^Invalid value for filetype\. Error: Use a known file type\.$/],
      [{ filetype: 'bdist_wat' }, /^Invalid value for filetype\. Error: Use a known file type\.$/],
      [{ filetype: undefined }, /^Invalid value for filetype\. Error: This field is required\.$/],
      [{ filetype: 'bdist_wheel', pyversion: undefined }, /^Invalid value for pyversion\. Error: Python version is required for binary distribution uploads\.$/],
      [{ pyversion: '3.12' }, /^Invalid value for pyversion\. Error: Use 'source' as Python version for an sdist\.$/],
      [{ sha256_digest: undefined }, /^Error: Include at least one message digest\.$/],
      [{ sha256_digest: 'an invalid sha256 digest' }, /^Invalid value for sha256_digest\. Error: Use a valid, hex-encoded, SHA256 message digest\.$/],
      [{ summary: 'x'.repeat(513) }, /^'summary' field must be 512 characters or less\./],
      [{ summary: 'two\nlines' }, /^'summary' must be a single line\./],
      [{ summary: 'two\r\nlines' }, /^'summary' must be a single line\./],
      [{ summary: 'carriage\rreturn' }, /^The field 'summary' contains control characters\./],
      [{ classifiers: ['Programming Language :: Python :: 3', 'Foo :: Bar'] }, /^'Foo :: Bar' is not a valid classifier\. See /],
      [{ classifiers: 'Natural Language :: Ukranian' }, /^The classifier 'Natural Language :: Ukranian' has been deprecated, use one of \['Natural Language :: Ukrainian'\] instead\./],
      [{ requires_dist: 'evil @ https://attacker/evil.whl' }, /^Can't have direct dependency: 'evil @ https:\/\/attacker\/evil\.whl'/],
      [{ license: 'MIT', license_expression: 'MIT' }, /^License is deprecated when License-Expression is present\./],
      [{ ':action': 'submit' }, /^Project pre-registration is no longer required or supported/],
      [{ ':action': 'doc_upload' }, /^Uploading documentation is no longer supported/],
      [{ description: 'bell\u0007' }, /contains control characters/],
    ];
    for (const [overrides, expected] of cases) {
      assert.match(messageOf(overrides), expected, JSON.stringify(overrides));
    }
  });

  it('takes an sdist without a pyversion as source (what flit sends), and refuses any other value', () => {
    for (const pyversion of [undefined, '']) {
      const result = validateUploadForm(fields({ pyversion }));
      assert.ok(result.ok, JSON.stringify(pyversion));
      assert.equal(result.value.pyversion, 'source');
    }
    for (const pyversion of ['py3', 'any', 'Source', ' source']) {
      assert.match(messageOf({ pyversion }), /^Invalid value for pyversion\. Error: Use 'source' as Python version for an sdist\.$/, pyversion);
    }
    assert.match(messageOf({ filetype: 'bdist_wheel', pyversion: '' }), /Python version is required for binary distribution uploads/);
  });

  it('accepts local versions for internal builds (a Quiver decision, BAD-INPUT 5)', () => {
    assert.equal(messageOf({ version: '1.0+local' }), 'accepted');
  });
});
