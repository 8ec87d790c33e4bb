import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCause, requestUrl } from './http-call.js';

describe('quiver CLI: requests and connection failures', () => {
  it('keeps the base URL’s path prefix', () => {
    assert.equal(requestUrl(new URL('http://127.0.0.1:8080'), '/api/maintenance/gc?graceSeconds=0').href, 'http://127.0.0.1:8080/api/maintenance/gc?graceSeconds=0');
    assert.equal(requestUrl(new URL('https://registry.internal/quiver/'), '/api/auth/tokens').href, 'https://registry.internal/quiver/api/auth/tokens');
  });

  it('describes the cause from the network error, as fetch reports it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(describeCause(new TypeError('fetch failed', { cause: refused }), '?'), 'connect ECONNREFUSED 127.0.0.1:1');
    const both = Object.assign(new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    ]), { code: 'ECONNREFUSED' });
    assert.equal(describeCause(new TypeError('fetch failed', { cause: both }), '?'), 'connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
    const timeout = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    assert.equal(describeCause(new TypeError('fetch failed', { cause: timeout }), '?'), 'Headers Timeout Error (UND_ERR_HEADERS_TIMEOUT)');
  });

  it('does not repeat the message of an error that may carry a header value', () => {
    const header = new TypeError('Headers.append: "Basic X19fdG9rZW5fXzpxdnJfc2VjcmV0\n" is an invalid header value.');
    assert.equal(describeCause(header, 'the request could not be sent'), 'the request could not be sent');
  });
});
