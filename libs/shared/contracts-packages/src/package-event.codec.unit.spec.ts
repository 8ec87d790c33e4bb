import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRecordedEvent } from './package-event.codec.js';
import { InvalidEventError, encodeRecordedEvent } from './recorded-event.js';
import type { RecordedEvent } from './package-events.js';

const published: RecordedEvent = {
  type: 'ReleaseFilePublished',
  schemaVersion: 1,
  eventId: '0b6f3f5e-8d43-4c0a-9a7e-1f1c7d1b2a01',
  streamId: 'project-demo',
  streamVersion: 2,
  position: '17',
  recordedAt: '2026-11-25T08:00:00.000Z',
  metadata: { actor: 'admin' },
  data: {
    project: 'demo',
    version: '1.0',
    filename: 'demo-1.0-py3-none-any.whl',
    packagetype: 'bdist_wheel',
    pythonVersion: 'py3',
    size: 1234,
    sha256: 'a'.repeat(64),
    blake2_256: 'b'.repeat(64),
    blobKey: 'files/aa/aa/x',
    requiresPython: '>=3.9',
    summary: null,
    coreMetadata: { sha256: 'c'.repeat(64), size: 99, blobKey: 'files/cc/cc/y' },
    uploadedAt: '2026-11-25T08:00:00.000Z',
  },
};

describe('package event codec', () => {
  it('round-trips a recorded event', () => {
    assert.deepEqual(decodeRecordedEvent(encodeRecordedEvent(published)), published);
  });

  it('round-trips a settings change and refuses a setting of the wrong type', () => {
    const settings: RecordedEvent = {
      ...published,
      type: 'ProjectSettingsChanged',
      data: { project: 'demo', closeReleasesAfterSeconds: 14 * 24 * 3600 },
    };
    assert.deepEqual(decodeRecordedEvent(encodeRecordedEvent(settings)), settings);
    const off = { ...settings, data: { project: 'demo', closeReleasesAfterSeconds: null } } as RecordedEvent;
    assert.deepEqual(decodeRecordedEvent(encodeRecordedEvent(off)), off);
    const wrong = JSON.stringify({ ...settings, data: { project: 'demo', closeReleasesAfterSeconds: '14d' } });
    assert.throws(() => decodeRecordedEvent(wrong), /closeReleasesAfterSeconds/);
  });

  it('refuses malformed messages with a reason instead of passing them on', () => {
    const broken = (mutate: (event: Record<string, unknown>) => void): string => {
      const copy = JSON.parse(JSON.stringify(published)) as Record<string, unknown>;
      mutate(copy);
      return JSON.stringify(copy);
    };
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[1]', /not a JSON object/],
      [broken((e) => (e['type'] = 'Nope')), /unknown event type 'Nope'/],
      [broken((e) => (e['schemaVersion'] = 9)), /unsupported schemaVersion 9/],
      [broken((e) => delete (e['data'] as Record<string, unknown>)['sha256']), /event\.data\.sha256/],
      [broken((e) => delete (e['metadata'] as Record<string, unknown>)['actor']), /event\.metadata\.actor/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(() => decodeRecordedEvent(text), (error: unknown) => error instanceof InvalidEventError && reason.test(error.message));
    }
  });
});
