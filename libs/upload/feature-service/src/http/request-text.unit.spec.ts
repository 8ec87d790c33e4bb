import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textProblem } from './request-text.js';

describe('request text', () => {
  it('takes any well-formed text without control characters', () => {
    for (const text of ['', 'demo', 'Acme.Widget_Tools', 'ünïcode 名前 🙈', 'right-to-left \u202e is shown escaped, not refused']) {
      assert.equal(textProblem(text), undefined, text);
    }
  });

  it('refuses NUL and other C0/C1 controls, and lone surrogates', () => {
    for (const text of ['a\u0000', '\t', '\r\n', '\u001b', '\u007f', '\u009b']) {
      assert.match(textProblem(text) ?? '', /^contains control characters/, JSON.stringify(text));
    }
    for (const text of ['\ud800', 'x\udfff', '\udc00\ud800']) {
      assert.match(textProblem(text) ?? '', /^is not well-formed Unicode/, JSON.stringify(text));
    }
  });

});
