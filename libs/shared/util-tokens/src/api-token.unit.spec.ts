import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiToken, hashApiToken, isWellFormedToken, tokenVerifier } from './api-token.js';

describe('API tokens', () => {
  it('are prefixed, fixed-length, unique and self-checking', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    assert.match(a, /^qvr_[0-9A-Za-z]{49}$/);
    assert.notEqual(a, b);
    assert.equal(isWellFormedToken(a), true);
    const typo = `${a.slice(0, 10)}${a[10] === 'x' ? 'y' : 'x'}${a.slice(11)}`;
    assert.equal(isWellFormedToken(typo), false);
  });

  it('verify against stored hashes only', async () => {
    const token = generateApiToken();
    const verify = tokenVerifier(new Map([[hashApiToken(token), 'admin']]));
    assert.equal(await verify(token), 'admin');
    assert.equal(await verify(generateApiToken()), undefined);
    assert.equal(await verify('not-a-token'), undefined);
  });
});
