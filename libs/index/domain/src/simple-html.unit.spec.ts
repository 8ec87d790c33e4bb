import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METADATA_SHA, OLD_SHA, SDIST_SHA, WHEEL_SHA, demoPage } from './project-page.fixture.js';
import { escapeHtml, renderIndexHtml, renderProjectHtml } from './simple-html.js';

describe('escapeHtml', () => {
  it('escapes the five significant characters', () => {
    assert.equal(escapeHtml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f');
  });

  it('does not double-escape-by-accident or touch other text', () => {
    assert.equal(escapeHtml('&amp; ü ~=3.1'), '&amp;amp; ü ~=3.1');
  });
});

describe('renderProjectHtml', () => {
  it('renders the exact PEP 503 page with yanks, escaping and both metadata attributes', () => {
    const expected = [
      '<!DOCTYPE html>',
      '<html>',
      '  <head>',
      '    <meta name="pypi:repository-version" content="1.1">',
      '    <title>Links for demo</title>',
      '  </head>',
      '  <body>',
      '    <h1>Links for demo</h1>',
      `    <a href="https://files.example/packages/demo-0.9.tar.gz#sha256=${OLD_SHA}" data-yanked="">demo-0.9.tar.gz</a><br/>`,
      `    <a href="https://files.example/packages/demo-1.0-py3-none-any.whl#sha256=${WHEEL_SHA}"` +
        ' data-requires-python="&gt;=3.9&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' +
        ` data-dist-info-metadata="sha256=${METADATA_SHA}" data-core-metadata="sha256=${METADATA_SHA}">demo-1.0-py3-none-any.whl</a><br/>`,
      `    <a href="https://files.example/packages/demo-1.0.tar.gz#sha256=${SDIST_SHA}" data-requires-python="&gt;=3.9"` +
        ' data-yanked="broken &lt;build&gt; &amp; &#39;bad&#39;">demo-1.0.tar.gz</a><br/>',
      '  </body>',
      '</html>',
      '',
    ].join('\n');
    assert.equal(renderProjectHtml(demoPage), expected);
  });

  it('never lets a raw <script> through', () => {
    assert.equal(renderProjectHtml(demoPage).includes('<script>'), false);
  });

  it('escapes URLs and filenames, drops a stray fragment and lowercases hashes', () => {
    const html = renderProjectHtml({
      name: 'x',
      lastSerial: 1,
      versions: ['1'],
      files: [
        {
          filename: 'x-1.tar.gz',
          url: '/files/x-1.tar.gz?a=1&b="2"#md5=00',
          sha256: 'ABCDEF',
          size: 1,
          uploadTime: new Date(0),
          yanked: false,
        },
      ],
    });
    assert.match(html, /<a href="\/files\/x-1\.tar\.gz\?a=1&amp;b=&quot;2&quot;#sha256=abcdef">x-1\.tar\.gz<\/a><br\/>/);
  });

  it('renders an empty body for a page without files', () => {
    assert.ok(renderProjectHtml({ name: 'e', lastSerial: 0, versions: [], files: [] }).includes('<h1>Links for e</h1>\n  </body>'));
  });
});

describe('renderIndexHtml', () => {
  const projects = [
    { name: 'demo', lastSerial: 42 },
    { name: 'other-pkg', lastSerial: 7 },
  ];

  it('renders the exact root listing under /simple/', () => {
    assert.equal(
      renderIndexHtml(projects),
      [
        '<!DOCTYPE html>',
        '<html>',
        '  <head>',
        '    <meta name="pypi:repository-version" content="1.1">',
        '    <title>Simple index</title>',
        '  </head>',
        '  <body>',
        '    <a href="/simple/demo/">demo</a><br/>',
        '    <a href="/simple/other-pkg/">other-pkg</a><br/>',
        '  </body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('honours a custom base path, adding the missing slash, and relative links', () => {
    assert.match(renderIndexHtml(projects, '/repo/simple'), /<a href="\/repo\/simple\/demo\/">demo<\/a>/);
    assert.match(renderIndexHtml(projects, ''), /<a href="demo\/">demo<\/a>/);
  });
});
