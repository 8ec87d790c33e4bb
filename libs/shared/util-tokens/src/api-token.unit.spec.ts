import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedVerifier, generateApiToken, hashApiToken, isWellFormedToken, tokenVerifier } from './api-token.js';

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

  it('cache successes for their time to live only, never failures, within a bound', async () => {
    let calls = 0;
    let clock = 0;
    const good = new Set(['a', 'b', 'c']);
    const verify = cachedVerifier(
      (token) => {
        calls += 1;
        return Promise.resolve(good.has(token) ? `user-${token}` : undefined);
      },
      { ttlMs: 1000, maxEntries: 2, now: () => clock },
    );
    assert.equal(await verify('a'), 'user-a');
    assert.equal(await verify('a'), 'user-a');
    assert.equal(calls, 1, 'the second check came from the cache');
    assert.equal(await verify('zzz'), undefined);
    assert.equal(await verify('zzz'), undefined);
    assert.equal(calls, 3, 'failures are checked every time');
    good.delete('a');
    clock = 1000;
    assert.equal(await verify('a'), undefined, 'expired entries are verified again');
    good.add('a');
    await verify('a');
    await verify('b');
    await verify('c');
    calls = 0;
    await verify('c');
    assert.equal(calls, 0, 'the newest entry is cached');
    await verify('a');
    assert.equal(calls, 1, 'the oldest entry made room for the newest');
  });
});
