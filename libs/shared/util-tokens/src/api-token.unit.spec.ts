import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiToken, hashApiToken, isWellFormedToken } from './api-token.js';

describe('API tokens', () => {
  it('are prefixed, fixed-length, unique and self-checking', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    assert.match(a, /^qvr_[0-9A-Za-z]{49}$/);
    assert.notEqual(a, b);
    assert.equal(isWellFormedToken(a), true);
    const typo = `${a.slice(0, 10)}${a[10] === 'x' ? 'y' : 'x'}${a.slice(11)}`;
    assert.equal(isWellFormedToken(typo), false);
    assert.match(hashApiToken(a), /^[0-9a-f]{64}$/);
  });
});
