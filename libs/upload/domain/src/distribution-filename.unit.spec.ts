import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filenameMismatch, parseDistributionFilename } from './distribution-filename.js';
import { parseVersion, type Version } from '@quiver/shared-domain-packaging';

const v = (text: string): Version => parseVersion(text) as Version;

const problem = (filename: string, filetype: 'bdist_wheel' | 'sdist'): string => {
  const result = parseDistributionFilename(filename, filetype);
  return result.ok ? '' : result.message;
};

describe('distribution filenames', () => {
  it('parses wheels with and without a build tag, and compressed tag sets', () => {
    const result = parseDistributionFilename('acme_widget_tools-1.0-1-py2.py3-none-any.whl', 'bdist_wheel');
    assert.ok(result.ok && result.value.kind === 'bdist_wheel');
    assert.equal(result.value.build, '1');
    assert.deepEqual(result.value.pythonTags, ['py2', 'py3']);
    assert.ok(parseDistributionFilename('demo-1.0-cp312-cp312-linux_x86_64.whl', 'bdist_wheel').ok);
  });

  it('refuses unsafe names and wrong extensions (BAD-INPUT 19, 20)', () => {
    for (const name of ['../../etc/demo-1.0.tar.gz', 'demo\\..\\x.whl', 'a/demo-1.0.tar.gz']) {
      assert.equal(problem(name, 'sdist'), "Cannot upload a file with '/' or '\\' in the name.");
    }
    for (const name of ['demo-1.0.tar.bz2', 'demo-1.0.egg', 'demo-1.0.exe', 'demo-1.0.tar.wat']) {
      assert.match(problem(name, 'sdist'), /^Invalid file extension: Use \.tar\.gz, \.whl or \.zip extension\./);
    }
    assert.match(problem('demo-1.0-py3-none-any.whl', 'sdist'), /^Invalid file extension: Extension \.whl is invalid for filetype sdist\./);
    assert.match(problem('demo-1.0\u0000.tar.gz', 'sdist'), /^Invalid filename/);
  });

  it('refuses malformed wheel names (BAD-INPUT 36)', () => {
    assert.equal(problem('foo-1.0.whl', 'bdist_wheel'), "Invalid wheel filename (wrong number of parts): 'foo-1.0'");
    assert.equal(problem('foo-1.0-q-py3-none-any.whl', 'bdist_wheel'), "Invalid build number: q in 'foo-1.0-q-py3-none-any'");
    assert.equal(problem('foo-0.0.4test1-py3-none-any.whl', 'bdist_wheel'), "Invalid wheel filename (invalid version): 'foo-0.0.4test1-py3-none-any'");
  });

  it('checks the filename against the declared name and version (BAD-INPUT 38, 39)', () => {
    const check = (filename: string, filetype: 'bdist_wheel' | 'sdist', project: string, version: string): string | undefined => {
      const parsed = parseDistributionFilename(filename, filetype);
      assert.ok(parsed.ok, filename);
      return filenameMismatch(parsed.value, filename, project, v(version));
    };
    assert.equal(check('nope-1.0.tar.gz', 'sdist', 'something_else', '1.0'), "Start filename for 'something_else' with 'something_else'.");
    assert.equal(
      check('Some_Thing-1.0-py3-none-any.whl', 'bdist_wheel', 'some-thing', '1.0'),
      "Filename 'Some_Thing-1.0-py3-none-any.whl' should contain the normalized project name 'some_thing', not 'Some_Thing'.",
    );
    assert.equal(check('some-thing-1.0.tar.gz', 'sdist', 'some-thing', '1.0'), "Filename 'some-thing-1.0.tar.gz' is invalid, should be 'some_thing-1.0.tar.gz'.");
    assert.equal(check('demo-2.0-py3-none-any.whl', 'bdist_wheel', 'demo', '1.0'), "Version in filename should be '1.0' not '2.0'.");
    assert.equal(check('acme_widget_tools-1.0-py3-none-any.whl', 'bdist_wheel', 'Acme.Widget_Tools', '1.0'), undefined);
    assert.equal(check('acme_widget_tools-1.0.tar.gz', 'sdist', 'Acme.Widget_Tools', '1.0'), undefined);
  });
});
