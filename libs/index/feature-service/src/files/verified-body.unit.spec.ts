import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { StoredFileIntegrityError, verifiedBody } from './verified-body.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The chunks of a stored object as a read stream delivers them. */
const chunksOf = (...parts: string[]): AsyncIterable<Uint8Array> => Readable.from(parts.map((part) => Buffer.from(part)));

/** What a client receives: the chunks yielded before the body ended or failed, and the failure. */
async function receive(body: AsyncIterable<Uint8Array>): Promise<{ text: string; error?: unknown }> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += Buffer.from(chunk).toString();
    }
    return { text };
  } catch (error) {
    return { text, error };
  }
}

describe('verifiedBody', () => {
  it('passes every chunk through when the bytes hash to the recorded sha256', async () => {
    assert.deepEqual(await receive(verifiedBody(chunksOf('ab', 'cd', 'ef'), sha256('abcdef'))), { text: 'abcdef' });
    assert.deepEqual(await receive(verifiedBody(chunksOf(), sha256(''))), { text: '' });
  });

  it('holds back the last chunk and fails instead of releasing it when the hash differs', async () => {
    const alerts: StoredFileIntegrityError[] = [];
    const received = await receive(verifiedBody(chunksOf('ab', 'cd', 'eX'), sha256('abcdef'), (error) => alerts.push(error)));
    assert.equal(received.text, 'abcd', 'the client never gets the whole (wrong) file');
    assert.ok(received.error instanceof StoredFileIntegrityError);
    assert.equal(received.error.expected, sha256('abcdef'));
    assert.equal(received.error.actual, sha256('abcdeX'));
    assert.deepEqual(alerts, [received.error]);
  });

  it('releases nothing of a one-chunk body that does not match', async () => {
    const received = await receive(verifiedBody(chunksOf('abcdeX'), sha256('abcdef')));
    assert.equal(received.text, '');
    assert.ok(received.error instanceof StoredFileIntegrityError);
  });
});
