import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecordedEvent, InvalidEventError, type Recorded } from '@quiver/shared-contracts-packages';
import { decodeIdentityEvent, type RecordedIdentityEvent, type TokenIssuedV1 } from './identity-events.js';

const envelope = {
  eventId: '0b6f3f5e-8d43-4c0a-9a7e-1f1c7d1b2a02',
  streamId: 'principal-u2',
  streamVersion: 1,
  position: '3',
  recordedAt: '2026-11-30T08:00:00.000Z',
  metadata: { actor: 'admin' },
};

const issued: RecordedIdentityEvent = {
  ...envelope,
  type: 'TokenIssued',
  schemaVersion: 2,
  data: {
    principal: 'u2',
    tokenId: 'tk_0123456789ab',
    sha256: 'a'.repeat(64),
    description: 'laptop',
    kind: 'ci',
    expiresAt: '2027-01-30T08:00:00.000Z',
    packages: ['acme-*'],
    permissions: ['package:install'],
    usesAllowed: 3,
    cidrs: ['10.0.0.0/8'],
    reason: null,
  },
};

describe('identity event codec', () => {
  it('round-trips a recorded event', () => {
    assert.deepEqual(decodeIdentityEvent(encodeRecordedEvent(issued)), issued);
    const rotated: RecordedIdentityEvent = {
      ...envelope,
      type: 'TokenRotated',
      schemaVersion: 1,
      data: { principal: 'u2', tokenId: 'tk_0123456789ab', sha256: 'b'.repeat(64), previousSha256: 'a'.repeat(64), previousValidUntil: '2026-11-30T09:00:00.000Z' },
    };
    assert.deepEqual(decodeIdentityEvent(encodeRecordedEvent(rotated)), rotated);
  });

  it('reads a token of the first shape as a personal token living 90 days from its issue, unrestricted', () => {
    const first: Recorded<TokenIssuedV1> = { ...envelope, type: 'TokenIssued', schemaVersion: 1, data: { principal: 'u2', tokenId: 'tk_0123456789ab', sha256: 'a'.repeat(64), description: 'laptop' } };
    assert.deepEqual(decodeIdentityEvent(encodeRecordedEvent(first)), {
      ...first,
      schemaVersion: 2,
      data: { ...first.data, kind: 'personal', expiresAt: '2027-02-28T08:00:00.000Z', packages: null, permissions: null, usesAllowed: null, cidrs: null, reason: null },
    });
  });

  it('refuses a package event, a token without a sha256 digest, a secret in place of one, and a shape it does not know', () => {
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, type: 'ProjectCreated' })), InvalidEventError);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, data: { ...issued.data, sha256: undefined } })), /sha256/);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, data: { ...issued.data, sha256: 'qvr_secret' } })), /sha256/);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, type: 'toString' })), /unknown event type/);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, data: { ...issued.data, kind: undefined } })), /kind/);
    assert.throws(() => decodeIdentityEvent(JSON.stringify({ ...issued, schemaVersion: 3 })), /unsupported schemaVersion 3/);
  });
});
