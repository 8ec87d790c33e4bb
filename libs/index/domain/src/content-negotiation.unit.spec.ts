import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateSimpleFormat, parseAccept } from './content-negotiation.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
const HTML_V1 = 'application/vnd.pypi.simple.v1+html';
const HTML = 'text/html';

describe('negotiateSimpleFormat', () => {
  it('gives JSON to the exact headers pip, uv and poetry send (PROTOCOL.md §2.2)', () => {
    for (const [client, accept] of [
      ['pip', 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01'],
      ['uv', 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01'],
      ['poetry', 'application/vnd.pypi.simple.v1+json, */*;q=0.1'],
    ] as const) {
      assert.equal(negotiateSimpleFormat(accept), JSON_V1, client);
    }
  });

  it('follows the negotiation table', () => {
    const table: readonly (readonly [string | undefined, string])[] = [
      [undefined, HTML],
      ['', HTML],
      ['*/*', HTML],
      ['text/html', HTML],
      ['text/*', HTML],
      [HTML_V1, HTML_V1],
      ['application/*', HTML_V1],
      ['application/vnd.pypi.simple.latest+json', JSON_V1],
      ['application/vnd.pypi.simple.latest+html', HTML_V1],
      ['APPLICATION/VND.PYPI.SIMPLE.V1+JSON', JSON_V1],
      // highest q wins
      ['text/html;q=0.9, application/vnd.pypi.simple.v1+json;q=0.5', HTML],
      ['application/vnd.pypi.simple.v1+json;q=0.5, application/vnd.pypi.simple.v1+html;q=0.6', HTML_V1],
      // ties prefer JSON, then v1+html, then text/html
      ['text/html, application/vnd.pypi.simple.v1+json', JSON_V1],
      ['text/html, application/vnd.pypi.simple.v1+html', HTML_V1],
      // an explicit type beats a wildcard at the same q
      ['text/html, */*', HTML],
      ['application/vnd.pypi.simple.v1+html, */*', HTML_V1],
      // q=0 excludes, even when a wildcard would admit the type
      ['application/vnd.pypi.simple.v1+json;q=0, */*', HTML],
      ['*/*;q=0.5, text/html;q=0', HTML_V1],
      ['application/vnd.pypi.simple.v1+json, */*;q=0', JSON_V1],
      // unsupported only / nothing acceptable → text/html (warehouse)
      ['application/json', HTML],
      ['image/png, text/plain', HTML],
      ['text/html;q=0', HTML],
      ['*/*;q=0', HTML],
      // malformed elements are skipped, the rest still counts
      ['garbage, application/vnd.pypi.simple.v1+json', JSON_V1],
      ['application/vnd.pypi.simple.v1+json;q=2, text/html', HTML],
      ['*/json, text/html;q=0.1', HTML],
      // quoted parameters may contain separators; non-q parameters are ignored
      ['text/html;foo="a,b;q=0", application/vnd.pypi.simple.v1+json;q=0.5', HTML],
      ['application/vnd.pypi.simple.v1+json ; charset=utf-8 ; q=0.8, text/html;q=0.7', JSON_V1],
    ];
    for (const [accept, expected] of table) {
      assert.equal(negotiateSimpleFormat(accept), expected, String(accept));
    }
  });

  it('lets ?format= override the header when it names a supported type', () => {
    assert.equal(negotiateSimpleFormat('text/html', JSON_V1), JSON_V1);
    assert.equal(negotiateSimpleFormat(JSON_V1, 'text/html'), HTML);
    assert.equal(negotiateSimpleFormat(undefined, HTML_V1), HTML_V1);
    assert.equal(negotiateSimpleFormat(undefined, 'application/vnd.pypi.simple.latest+json'), JSON_V1);
    assert.equal(negotiateSimpleFormat(undefined, ' Application/Vnd.Pypi.Simple.V1+JSON '), JSON_V1);
  });

  it('ignores ?format= values it does not serve', () => {
    assert.equal(negotiateSimpleFormat(JSON_V1, 'application/json'), JSON_V1);
    assert.equal(negotiateSimpleFormat(undefined, 'json'), HTML);
    assert.equal(negotiateSimpleFormat(JSON_V1, '*/*'), JSON_V1);
    assert.equal(negotiateSimpleFormat(JSON_V1, ''), JSON_V1);
  });
});

describe('parseAccept', () => {
  it('parses types, q-values and wildcards, dropping malformed ranges', () => {
    assert.deepEqual(parseAccept('Text/HTML;level=1;q=0.5;ext=x, */*;q=0.001, bad, a/b;q=1.5, */x'), [
      { type: 'text', subtype: 'html', q: 0.5 },
      { type: '*', subtype: '*', q: 0.001 },
    ]);
  });
});
