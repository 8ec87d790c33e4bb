import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCESS_FACTS_TOPIC, encodeAccessFacts, type AccessRecorded, type TokensUsed } from '@quiver/shared-contracts-identity';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import { PgliteDatabase } from '@quiver/shared-data-access-db';
import { accessMigrations } from '@quiver/shared-feature-access';
import { deadLetterTopic } from '@quiver/shared-ports';
import { eventually } from '@quiver/shared-testing';
import { TokenLastUseConsumer } from './token-last-use.consumer.js';

const download = (id: string): AccessRecorded => ({
  id,
  type: 'AccessRecorded',
  schemaVersion: 1,
  service: 'index',
  time: '2026-12-07T10:00:00.000Z',
  action: 'file.download',
  outcome: 'success',
  actor: 'alice',
  tokenId: 'tk_aaaaaaaaaaaaaaaa',
  clientAddress: '10.0.0.9',
  userAgent: 'pip/24.0',
  project: 'demo',
  version: '1.0',
  filename: 'demo-1.0.tar.gz',
  status: 200,
  reason: null,
  details: {},
});

const used = (id: string, tokenId: string, at: string, address: string): TokensUsed => ({
  id,
  type: 'TokensUsed',
  schemaVersion: 1,
  service: 'index',
  recordedAt: at,
  data: { uses: [{ tokenId, at, address }] },
});

describe('TokenLastUseConsumer on the access topic it shares with AccessRecorded facts', () => {
  let db: PgliteDatabase;
  let bus: InProcessEventBus;
  let consumer: TokenLastUseConsumer;
  const deadLettered: string[] = [];

  before(async () => {
    db = await PgliteDatabase.open();
    await db.migrate(accessMigrations);
    for (const tokenId of ['tk_aaaaaaaaaaaaaaaa', 'tk_bbbbbbbbbbbbbbbb']) {
      await db.query(`INSERT INTO access_tokens (token_id, principal, sha256, description, issued_at, expires_at) VALUES ($1, 'alice', $2, 'test', now(), now() + interval '1 day')`, [
        tokenId,
        tokenId.repeat(3),
      ]);
    }
    bus = new InProcessEventBus();
    await bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 3 }]);
    await bus.subscribe({
      group: 'dlt-watch',
      topics: [deadLetterTopic(ACCESS_FACTS_TOPIC)],
      handle: (message) => {
        deadLettered.push(message.value);
        return Promise.resolve();
      },
    });
    consumer = new TokenLastUseConsumer(db, bus);
    await consumer.start();
  });

  after(async () => {
    await consumer.stop();
    await bus.close();
    await db.close();
  });

  const lastUse = async (tokenId: string): Promise<{ at: string | null; from: string | null }> => {
    const { rows } = await db.query<{ last_used_at: Date | null; last_used_from: string | null }>('SELECT last_used_at, last_used_from FROM access_tokens WHERE token_id = $1', [tokenId]);
    return { at: rows[0]?.last_used_at?.toISOString() ?? null, from: rows[0]?.last_used_from ?? null };
  };

  it('applies TokensUsed from single and batched messages, ignores AccessRecorded, and dead-letters nothing', async () => {
    // A lone AccessRecorded fact, a batch of both types (as a FactJournal ships them), then a lone TokensUsed fact.
    await bus.publish(ACCESS_FACTS_TOPIC, [{ key: 'a', value: encodeAccessFacts([download('1b0c7a3e-0000-4000-8000-000000000001')]) }]);
    await bus.publish(ACCESS_FACTS_TOPIC, [
      {
        key: 'a',
        value: encodeAccessFacts([download('1b0c7a3e-0000-4000-8000-000000000002'), used('1b0c7a3e-0000-4000-8000-000000000003', 'tk_aaaaaaaaaaaaaaaa', '2026-12-07T10:00:00.000Z', '10.0.0.9')]),
      },
    ]);
    await bus.publish(ACCESS_FACTS_TOPIC, [{ key: 'b', value: JSON.stringify(used('1b0c7a3e-0000-4000-8000-000000000004', 'tk_bbbbbbbbbbbbbbbb', '2026-12-07T11:00:00.000Z', '10.0.0.7')) }]);
    await eventually(async () => {
      assert.deepEqual(await lastUse('tk_aaaaaaaaaaaaaaaa'), { at: '2026-12-07T10:00:00.000Z', from: '10.0.0.9' });
      assert.deepEqual(await lastUse('tk_bbbbbbbbbbbbbbbb'), { at: '2026-12-07T11:00:00.000Z', from: '10.0.0.7' });
    }, { what: 'both last uses applied' });
    // Everything before a marker published last is handled by now (one partition per key; the marker shares key 'a').
    await bus.publish(ACCESS_FACTS_TOPIC, [{ key: 'a', value: JSON.stringify(used('1b0c7a3e-0000-4000-8000-000000000005', 'tk_aaaaaaaaaaaaaaaa', '2026-12-07T12:00:00.000Z', '10.0.0.8')) }]);
    await eventually(async () => (await lastUse('tk_aaaaaaaaaaaaaaaa')).at === '2026-12-07T12:00:00.000Z', { what: 'the marker applied' });
    assert.deepEqual(deadLettered, [], 'no AccessRecorded fact was mistaken for a bad TokensUsed one');
  });
});
