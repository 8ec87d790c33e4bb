import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageKind, parseProjectPage, parseRootPage, projectMatcher, projectOfFilename, versionOfFilename } from './simple-pages.js';

describe('quiver import: reading another index', () => {
  it('tells PEP 691 JSON from HTML by the Content-Type, parameters and case aside', () => {
    assert.equal(pageKind('application/vnd.pypi.simple.v1+json'), 'json');
    assert.equal(pageKind('text/html; charset=UTF-8'), 'html');
    assert.equal(pageKind('Application/Vnd.Pypi.Simple.V1+HTML'), 'html');
    assert.equal(pageKind('application/json'), undefined);
  });

  it('reads the root page: JSON names each project at <root>/<normalized>/, HTML by its anchors', () => {
    assert.deepEqual(parseRootPage('json', JSON.stringify({ meta: { 'api-version': '1.0' }, projects: [{ name: 'Acme_Tools' }, { name: '' }, {}] }), 'https://idx.example/root/+simple/'), [
      { name: 'Acme_Tools', url: 'https://idx.example/root/+simple/acme-tools/' },
    ]);
    const html = '<html><body><a href="acme-tools/">acme-tools</a><br><a href="/simple/b/">B &amp; co</a><a name="x">no href</a></body></html>';
    assert.deepEqual(parseRootPage('html', html, 'http://h/simple/'), [
      { name: 'acme-tools', url: 'http://h/simple/acme-tools/' },
      { name: 'B & co', url: 'http://h/simple/b/' },
    ]);
    assert.throws(() => parseRootPage('json', '{"meta":{}}', 'http://h/'), /no 'projects' list/);
    assert.throws(() => parseRootPage('json', '<html>', 'http://h/'), /not valid JSON/);
  });

  it('reads a JSON project page: absolute URLs, lower-case hashes, yanked with or without a reason, upload times', () => {
    const page = {
      files: [
        { filename: 'a-1.0.tar.gz', url: '../../+f/abc/a-1.0.tar.gz', hashes: { SHA256: 'ABCDEF' }, yanked: 'broken', 'upload-time': '2024-01-02T03:04:05.000000Z' },
        { filename: 'a-1.1-py3-none-any.whl', url: 'https://files.example/a-1.1-py3-none-any.whl', hashes: { sha256: 'beef', md5: 'not hex!' }, yanked: true },
        { filename: 'a-1.2-py3-none-any.whl', url: '/f/a.whl', hashes: {} },
        { url: 'no-filename' },
      ],
    };
    assert.deepEqual(parseProjectPage('json', JSON.stringify(page), 'http://devpi:3141/root/prod/+simple/a/'), [
      { filename: 'a-1.0.tar.gz', url: 'http://devpi:3141/root/prod/+f/abc/a-1.0.tar.gz', hashes: { sha256: 'abcdef' }, yanked: 'broken', uploadTime: '2024-01-02T03:04:05.000000Z' },
      { filename: 'a-1.1-py3-none-any.whl', url: 'https://files.example/a-1.1-py3-none-any.whl', hashes: { sha256: 'beef' }, yanked: '' },
      { filename: 'a-1.2-py3-none-any.whl', url: 'http://devpi:3141/f/a.whl', hashes: {}, yanked: false },
    ]);
  });

  it('reads an HTML project page: the filename from the URL, the hash from its fragment, data-yanked', () => {
    const html = [
      '<a href="../../packages/sub/a-1.0.tar.gz#sha256=ABC123" data-requires-python="&gt;=3.9">a-1.0.tar.gz</a>',
      '<a href="/packages/a-1.1-py3-none-any.whl#md5=00ff" data-yanked="">a-1.1-py3-none-any.whl</a>',
      '<a href="https://cdn.example/a-1.2-py3-none-any.whl" data-yanked="CVE-2024-1">a-1.2-py3-none-any.whl</a>',
      '<a href="a%2B1-2.0.zip">a+1-2.0.zip</a>',
    ].join('<br>\n');
    assert.deepEqual(parseProjectPage('html', html, 'http://pypiserver/simple/a/'), [
      { filename: 'a-1.0.tar.gz', url: 'http://pypiserver/packages/sub/a-1.0.tar.gz', hashes: { sha256: 'abc123' }, yanked: false },
      { filename: 'a-1.1-py3-none-any.whl', url: 'http://pypiserver/packages/a-1.1-py3-none-any.whl', hashes: { md5: '00ff' }, yanked: '' },
      { filename: 'a-1.2-py3-none-any.whl', url: 'https://cdn.example/a-1.2-py3-none-any.whl', hashes: {}, yanked: 'CVE-2024-1' },
      { filename: 'a+1-2.0.zip', url: 'http://pypiserver/simple/a/a%2B1-2.0.zip', hashes: {}, yanked: false },
    ]);
  });

  it('names the project and release of a wheel or sdist from its filename', () => {
    assert.deepEqual(
      ['acme_tools-1.0-py3-none-any.whl', 'acme_tools-2.0.post1-1-cp311-cp311-linux_x86_64.whl', 'Acme-Tools-1.0.tar.gz', 'acme.tools-3.0rc1.zip', 'noversion.tar.gz'].map((name) => [
        projectOfFilename(name),
        versionOfFilename(name),
      ]),
      [
        ['acme-tools', '1.0'],
        ['acme-tools', '2.0.post1'],
        ['acme-tools', '1.0'],
        ['acme-tools', '3.0rc1'],
        [undefined, undefined],
      ],
    );
  });

  it('selects projects by comma-separated patterns with * and ?, over normalized names', () => {
    const matches = projectMatcher('acme-*, Tools_?');
    assert.deepEqual(['acme-core', 'Acme.Web', 'tools-a', 'tools-ab', 'acme', 'other'].map(matches), [true, true, true, false, false, false]);
    assert.equal(projectMatcher(undefined)('anything'), true);
    assert.equal(projectMatcher('a.b')('a-b'), true, 'a dot is a separator, not a wildcard');
    assert.equal(projectMatcher('a+b')('a+b'), true, 'other characters are literal');
  });
});
