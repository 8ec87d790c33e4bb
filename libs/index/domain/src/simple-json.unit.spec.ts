import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METADATA_SHA, OLD_SHA, SDIST_SHA, WHEEL_SHA, demoPage } from './project-page.fixture.js';
import { formatUploadTime, renderIndexJson, renderProjectJson } from './simple-json.js';

describe('formatUploadTime', () => {
  it('emits UTC with six fractional digits (PEP 700)', () => {
    assert.equal(formatUploadTime(new Date('2024-01-17T16:53:12.779Z')), '2024-01-17T16:53:12.779000Z');
    assert.equal(formatUploadTime(new Date('2024-01-17T17:53:12+01:00')), '2024-01-17T16:53:12.000000Z');
  });
});

describe('renderProjectJson', () => {
  it('renders the exact PEP 691 document in a fixed key order', () => {
    const expected =
      '{"meta":{"api-version":"1.1","_last-serial":42},"name":"demo","versions":["0.9","1.0"],"files":[' +
      `{"filename":"demo-0.9.tar.gz","url":"https://files.example/packages/demo-0.9.tar.gz","hashes":{"sha256":"${OLD_SHA}"},` +
      '"size":10,"upload-time":"2023-12-31T23:59:59.000000Z","yanked":true,"core-metadata":false,"data-dist-info-metadata":false},' +
      `{"filename":"demo-1.0-py3-none-any.whl","url":"https://files.example/packages/demo-1.0-py3-none-any.whl","hashes":{"sha256":"${WHEEL_SHA}"},` +
      '"requires-python":">=3.9\\"><script>alert(1)</script>","size":147925,"upload-time":"2024-01-17T16:53:12.779000Z","yanked":false,' +
      `"core-metadata":{"sha256":"${METADATA_SHA}"},"data-dist-info-metadata":{"sha256":"${METADATA_SHA}"}},` +
      `{"filename":"demo-1.0.tar.gz","url":"https://files.example/packages/demo-1.0.tar.gz","hashes":{"sha256":"${SDIST_SHA}"},` +
      '"requires-python":">=3.9","size":2048,"upload-time":"2024-01-17T16:53:13.000000Z","yanked":"broken <build> & \'bad\'",' +
      '"core-metadata":false,"data-dist-info-metadata":false}]}';
    assert.equal(renderProjectJson(demoPage), expected);
  });

  it('round-trips through JSON.parse with the PEP 691 shapes', () => {
    const doc = JSON.parse(renderProjectJson(demoPage)) as { files: Record<string, unknown>[] };
    const [old, wheel, sdist] = doc.files;
    assert.equal(old?.['requires-python'], undefined);
    assert.deepEqual(wheel?.['hashes'], { sha256: WHEEL_SHA });
    assert.equal(sdist?.['yanked'], "broken <build> & 'bad'");
  });

  it('renders a page without files', () => {
    assert.equal(
      renderProjectJson({ name: 'e', lastSerial: 0, versions: [], files: [] }),
      '{"meta":{"api-version":"1.1","_last-serial":0},"name":"e","versions":[],"files":[]}',
    );
  });
});

describe('renderIndexJson', () => {
  it('renders the exact project list with the highest serial in meta', () => {
    assert.equal(
      renderIndexJson([
        { name: 'demo', lastSerial: 42 },
        { name: 'other-pkg', lastSerial: 7 },
      ]),
      '{"meta":{"api-version":"1.1","_last-serial":42},"projects":[{"name":"demo","_last-serial":42},{"name":"other-pkg","_last-serial":7}]}',
    );
  });

  it('uses 0 for an empty index and honours an explicit repository serial', () => {
    assert.equal(renderIndexJson([]), '{"meta":{"api-version":"1.1","_last-serial":0},"projects":[]}');
    assert.equal(renderIndexJson([{ name: 'a', lastSerial: 1 }], 99), '{"meta":{"api-version":"1.1","_last-serial":99},"projects":[{"name":"a","_last-serial":1}]}');
  });
});
