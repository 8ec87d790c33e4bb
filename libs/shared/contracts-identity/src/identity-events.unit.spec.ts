import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecordedEvent, InvalidEventError } from '@quiver/shared-contracts-packages';
import { decodeIdentityEvent, type RecordedIdentityEvent } from './identity-events.js';

const issued: RecordedIdentityEvent = {
  type: 'TokenIssued',
  schemaVersion: 1,
  eventId: '0b6f3f5e-8d43-4c0a-9a7e-1f1c7d1b2a02',
  streamId: 'principal-u2',
  streamVersion: 1,
  position: '3',
  recordedAt: '2026-11-30T08:00:00.000Z',
  metadata: { actor: 'admin' },
  data: { principal: 'u2', tokenId: 'tk_0123456789ab', sha256: 'a'.repeat(64), description: 'laptop' },
};

describe('identity event codec', () => {
  it('round-trips a recorded event', () => {
    assert.deepEqual(decodeIdentityEvent(encodeRecordedEvent(issued)), issued);
  });

  it('refuses a package event, a token without a sha256 digest, and a secret in place of one', () => {
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, type: 'ProjectCreated' })), InvalidEventError);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, data: { ...issued.data, sha256: undefined } })), /sha256/);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, data: { ...issued.data, sha256: 'qvr_secret' } })), /sha256/);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, type: 'toString' })), /unknown event type/);
  });
});
