import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayUrl, findToken, serverUrl, type Environment } from './server-discovery.js';

const url = (env: Environment, override?: URL): string => {
  const found = serverUrl(env, override);
  assert.ok(found.ok, found.ok ? '' : found.message);
  return found.value.href;
};

const problem = (env: Environment): string => {
  const found = serverUrl(env, undefined);
  assert.ok(!found.ok);
  return found.message;
};

/** A file system of the given files, answering ENOENT for any other path, as readFile does. */
const files = (contents: Record<string, string>) => (path: string): Promise<string> => {
  const content = contents[path];
  return content === undefined ? Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' })) : Promise.resolve(content);
};

describe('quiver CLI: finding the server the way it was started', () => {
  it('uses --url, else QUIVER_URL, else QUIVER_HOST and QUIVER_PORT', () => {
    assert.equal(url({}), 'http://127.0.0.1:8080/');
    assert.equal(url({ QUIVER_PORT: '18080' }), 'http://127.0.0.1:18080/');
    assert.equal(url({ QUIVER_PORT: '18080', QUIVER_HOST: '0.0.0.0' }), 'http://127.0.0.1:18080/', 'all addresses: loopback is one of them');
    assert.equal(url({ QUIVER_HOST: '::' }), 'http://127.0.0.1:8080/');
    assert.equal(url({ QUIVER_HOST: '127.0.0.5' }), 'http://127.0.0.5:8080/');
    assert.equal(url({ QUIVER_HOST: '::1' }), 'http://[::1]:8080/');
    assert.equal(url({ QUIVER_URL: 'http://127.0.0.1:9000/quiver', QUIVER_PORT: '18080' }), 'http://127.0.0.1:9000/quiver');
    assert.equal(url({ QUIVER_URL: 'http://127.0.0.1:9000' }, new URL('http://127.0.0.1:7000')), 'http://127.0.0.1:7000/');
    assert.equal(url({ QUIVER_URL: '', QUIVER_PORT: '18080' }), 'http://127.0.0.1:18080/', 'an empty QUIVER_URL is unset');
  });

  it('explains a setting it cannot use', () => {
    assert.match(problem({ QUIVER_PORT: '0' }), /QUIVER_PORT is 0: the server picked a free port\. Set QUIVER_URL/);
    assert.match(problem({ QUIVER_PORT: 'http' }), /QUIVER_PORT must be a TCP port, not 'http'/);
    assert.match(problem({ QUIVER_PORT: '70000' }), /must be a TCP port/);
    assert.match(problem({ QUIVER_URL: '127.0.0.1:8080' }), /QUIVER_URL is not usable: Expected a URL such as http:\/\/127\.0\.0\.1:8080/);
    assert.match(problem({ QUIVER_URL: 'file:///srv/quiver' }), /QUIVER_URL is not usable: Expected an http or https URL/);
    const secret = problem({ QUIVER_URL: 'http://__token__:qvr_secret@127.0.0.1:8080' });
    assert.match(secret, /credentials is not accepted/);
    assert.doesNotMatch(secret, /qvr_secret/, 'the credential is not echoed');
  });

  it('shows a URL without anything but scheme, host, port and path', () => {
    assert.equal(displayUrl(new URL('http://127.0.0.1:8080/')), 'http://127.0.0.1:8080');
    assert.equal(displayUrl(new URL('https://registry.internal/quiver/?x=1#y')), 'https://registry.internal/quiver');
  });
});

describe('quiver CLI: finding the token', () => {
  it('uses QUIVER_TOKEN, else QUIVER_TOKEN_FILE, else <QUIVER_DATA_DIR>/admin-token', async () => {
    const fs = files({ '/work/.quiver/admin-token': 'qvr_default\n', '/data/admin-token': 'qvr_data\n', '/etc/quiver-token': ' qvr_file \n' });
    assert.deepEqual(await findToken({ QUIVER_TOKEN: 'qvr_env', QUIVER_TOKEN_FILE: '/etc/quiver-token' }, '/work', fs), { ok: true, value: { value: 'qvr_env', source: 'QUIVER_TOKEN' } });
    assert.deepEqual(await findToken({ QUIVER_TOKEN_FILE: '/etc/quiver-token', QUIVER_DATA_DIR: '/data' }, '/work', fs), { ok: true, value: { value: 'qvr_file', source: '/etc/quiver-token' } });
    assert.deepEqual(await findToken({ QUIVER_DATA_DIR: '/data' }, '/work', fs), { ok: true, value: { value: 'qvr_data', source: '/data/admin-token' } });
    assert.deepEqual(await findToken({}, '/work', fs), { ok: true, value: { value: 'qvr_default', source: '/work/.quiver/admin-token' } });
    assert.deepEqual(await findToken({ QUIVER_DATA_DIR: 'data' }, '/', fs), { ok: true, value: { value: 'qvr_data', source: '/data/admin-token' } }, 'relative to the working directory');
  });

  it('says which file is missing and how to get a token', async () => {
    const none = await findToken({}, '/work', files({}));
    assert.ok(!none.ok);
    assert.match(none.message, /^no token: \/work\/\.quiver\/admin-token does not exist\. The embedded registry creates it on its first start: run quiver where 'npm start' ran, or set QUIVER_DATA_DIR/);
    assert.match(none.message, /QUIVER_TOKEN/);
    assert.match(none.message, /quiver login/);
    const named = await findToken({ QUIVER_TOKEN_FILE: '/etc/nope' }, '/work', files({}));
    assert.ok(!named.ok);
    assert.match(named.message, /^no token: \/etc\/nope does not exist\. Point QUIVER_TOKEN_FILE at a file holding a token/);
    const denied = await findToken({}, '/work', () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })));
    assert.ok(!denied.ok);
    assert.equal(denied.message, 'no token: cannot read /work/.quiver/admin-token (EACCES).');
  });

  it('refuses an empty token or one with characters a token cannot have, without showing it', async () => {
    const empty = await findToken({}, '/work', files({ '/work/.quiver/admin-token': '\n' }));
    assert.ok(!empty.ok);
    assert.equal(empty.message, 'no token: /work/.quiver/admin-token is empty.');
    const odd = await findToken({ QUIVER_TOKEN: 'qvr_a\nInjected: header' }, '/work', files({}));
    assert.ok(!odd.ok);
    assert.equal(odd.message, 'the token in QUIVER_TOKEN has characters a token cannot have (is it the right file?).');
  });
});
