import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusals, shown } from './archive-refusal.js';

describe('archive refusal messages', () => {
  it('show member names without control or invisible formatting characters', () => {
    assert.equal(shown('a\u0000b\nc\u001b[31m\u007f\u0085'), 'a?b?c?[31m??');
    assert.equal(shown('evil\u202Eyp.exe\u2028x'), 'evil?yp.exe?x');
    assert.equal(shown('caf\u00e9/\u{1F40D}.py'), 'caf\u00e9/\u{1F40D}.py');
  });

  it('cap long names without cutting a character in two', () => {
    assert.equal(shown('\u{1F40D}'.repeat(300)), '\u{1F40D}'.repeat(200));
  });

  it('quote the sanitised name in the BAD-INPUT 41 wording', () => {
    assert.equal(
      refusals.memberNotAllowed('../\u0000x').message,
      "Invalid distribution file. Archive member '../?x' is not allowed (absolute, parent-relative or link)",
    );
  });
});
