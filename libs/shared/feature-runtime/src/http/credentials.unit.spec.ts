import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuthorization } from './credentials.js';

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('parseAuthorization', () => {
  it('reads __token__ basic auth, Bearer and token schemes', () => {
    assert.deepEqual(parseAuthorization(basic('__token__:qvr_abc')), { kind: 'token', token: 'qvr_abc' });
    assert.deepEqual(parseAuthorization(basic('__token__: qvr_abc ')), { kind: 'token', token: 'qvr_abc' });
    assert.deepEqual(parseAuthorization('Bearer qvr_abc'), { kind: 'token', token: 'qvr_abc' });
    assert.deepEqual(parseAuthorization('token qvr_abc'), { kind: 'token', token: 'qvr_abc' });
  });

  it('reads user:password', () => {
    assert.deepEqual(parseAuthorization(basic('alice:s3cret')), { kind: 'password', username: 'alice', password: 's3cret' });
  });

  it('treats anything malformed as no credentials', () => {
    for (const header of [undefined, '', 'Basic', 'Basic !!!', basic('no-colon'), basic('__token__:'), 'Digest x', 'Bearer a b']) {
      assert.deepEqual(parseAuthorization(header), { kind: 'none' }, String(header));
    }
  });
});
