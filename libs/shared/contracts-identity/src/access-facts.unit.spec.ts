import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidEventError } from '@quiver/shared-contracts-packages';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, decodeAccessFacts, encodeAccessFacts, type AccessRecorded, type TokensUsed } from './access-facts.js';

const download: AccessRecorded = {
  id: '6f0c1f7e-5d2a-4a53-9d43-2f4f6a1d0b11',
  type: 'AccessRecorded',
  schemaVersion: 1,
  service: 'index',
  time: '2026-12-07T10:00:00.000Z',
  action: 'file.download',
  outcome: 'success',
  actor: 'ci-bot',
  tokenId: 'tk_0123456789abcdef',
  clientAddress: '10.1.2.3',
  userAgent: 'pip/24.0',
  project: 'demo',
  version: '1.0',
  filename: 'demo-1.0-py3-none-any.whl',
  status: 200,
  reason: null,
  details: {},
};

const denied: AccessRecorded = {
  ...download,
  id: '0e8a0d4c-3b1f-4e77-8f0a-6c9d2b7e5a22',
  action: 'auth.denied',
  outcome: 'denied',
  actor: 'anonymous',
  tokenId: null,
  userAgent: null,
  version: null,
  filename: null,
  status: 401,
  reason: 'unauthenticated',
  details: { attempted: 'file.download', count: 1, flag: true, none: null },
};

const used: TokensUsed = {
  id: '9d1f8c2b-7a6e-4f5d-8c3b-1a2e3f4d5c66',
  type: 'TokensUsed',
  schemaVersion: 1,
  service: 'upload',
  recordedAt: '2026-12-07T10:00:01.000Z',
  data: { uses: [{ tokenId: 'tk_0123456789abcdef', at: '2026-12-07T10:00:00.500Z', address: '10.1.2.3' }] },
};

const line = (fact: object): string => JSON.stringify(fact);
const rejects = (text: string, message: RegExp): void => assert.throws(() => decodeAccessFacts(text), (error: unknown) => error instanceof InvalidEventError && message.test(error.message));

describe('access facts contract', () => {
  it('round-trips a batch of both fact types, in order', () => {
    const batch = [download, used, denied];
    const text = encodeAccessFacts(batch);
    assert.equal(text.split('\n').length, 3, 'one fact a line');
    assert.deepEqual(decodeAccessFacts(text), batch);
  });

  it('reads a single JSON object, blank lines and a trailing newline', () => {
    assert.deepEqual(decodeAccessFacts(JSON.stringify(download, null, 0)), [download]);
    assert.deepEqual(decodeAccessFacts(`\n${line(used)}\n\n${line(download)}\n`), [used, download]);
    assert.deepEqual(decodeAccessFacts(''), []);
  });

  it('takes every action and outcome the contract lists', () => {
    for (const action of ACCESS_ACTIONS) {
      for (const outcome of ACCESS_OUTCOMES) {
        assert.deepEqual(decodeAccessFacts(line({ ...download, action, outcome })), [{ ...download, action, outcome }]);
      }
    }
  });

  it('names the first bad line of a batch', () => {
    rejects(`${line(download)}\n{not json`, /^line 2: message is not JSON/);
    rejects(`${line(download)}\n\n[1,2]`, /^line 3: an access fact must be a JSON object/);
    rejects(line({ ...download, type: 'Downloaded' }), /^line 1: unknown access fact type "Downloaded"/);
  });

  it('names every malformed field of an AccessRecorded fact', () => {
    rejects(line({ ...download, action: 'file.steal' }), /AccessRecorded fact is malformed: action$/);
    rejects(line({ ...download, schemaVersion: 2, outcome: 'maybe', time: 'yesterday' }), /malformed: schemaVersion, time, outcome$/);
    rejects(line({ ...download, actor: 7, tokenId: 5, status: 200.5 }), /malformed: actor, tokenId, status$/);
    rejects(line({ ...download, details: { nested: { no: 1 } } }), /malformed: details$/);
    rejects(line({ ...download, details: null }), /malformed: details$/);
    const withoutProject = Object.fromEntries(Object.entries(download).filter(([field]) => field !== 'project'));
    rejects(line(withoutProject), /malformed: project$/);
  });

  it('refuses a TokensUsed fact without well-formed uses', () => {
    rejects(line({ ...used, data: { uses: [{ tokenId: 'tk_1', at: 'soon', address: '10.0.0.1' }] } }), /^line 1: TokensUsed data\.uses is missing or malformed/);
    rejects(line({ ...used, schemaVersion: 2 }), /not a TokensUsed fact of schema version 1/);
  });
});
