import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ACCESS_FACTS_TOPIC, decodeAccessFacts, type AccessRecorded } from '@quiver/shared-contracts-identity';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import type { EventBus, OutgoingMessage } from '@quiver/shared-ports';
import { eventually } from '@quiver/shared-testing';
import { AccessFacts } from './access-facts.js';
import { FactJournal } from './fact-journal.js';
import { childFact, childFactId } from './journal-child.fixture.js';

const directories: string[] = [];
const freshDirectory = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'quiver-journal-test-'));
  directories.push(directory);
  return directory;
};

/** A real in-process bus that refuses publishes while `down`, and a subscriber that keeps every message. */
async function busWithReader(): Promise<{ bus: EventBus & { down: boolean; held: Promise<void> | undefined; publishes: number }; messages: string[]; ids: () => string[]; close: () => Promise<void> }> {
  const real = new InProcessEventBus();
  await real.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 3 }]);
  const messages: string[] = [];
  const subscription = await real.subscribe({
    group: 'journal-test',
    topics: [ACCESS_FACTS_TOPIC],
    fromBeginning: true,
    handle: (message) => {
      messages.push(message.value);
      return Promise.resolve();
    },
  });
  const bus = {
    down: false,
    /** While set, publishes wait for it (a slow broker). */
    held: undefined as Promise<void> | undefined,
    publishes: 0,
    ensureTopics: real.ensureTopics.bind(real),
    subscribe: real.subscribe.bind(real),
    close: real.close.bind(real),
    async publish(topic: string, batch: readonly OutgoingMessage[]): Promise<void> {
      bus.publishes += 1;
      await bus.held;
      return bus.down ? Promise.reject(Object.assign(new Error('broker not available'), { name: 'KafkaJSConnectionError' })) : real.publish(topic, batch);
    },
  };
  const ids = (): string[] => messages.flatMap((value) => decodeAccessFacts(value).map((fact) => fact.id));
  return {
    bus,
    messages,
    ids,
    close: async () => {
      await subscription.stop();
      await real.close();
    },
  };
}

const fact = (index: number, padding = 0): AccessRecorded => ({ ...childFact(index), details: { index, padding: 'x'.repeat(padding) } });
const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, offset) => childFactId(from + offset));
const journalFiles = (directory: string): string[] => readdirSync(directory).filter((name) => name.endsWith('.jsonl'));

describe('FactJournal over a real in-process bus', () => {
  after(() => {
    for (const directory of directories) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('ships many facts as few messages, each at most 500 facts and 256 KiB, as encodeAccessFacts values', async () => {
    const reader = await busWithReader();
    const journal = FactJournal.open({ directory: freshDirectory(), bus: reader.bus, intervalMs: 60_000 });
    for (let index = 0; index < 1200; index += 1) {
      journal.record(fact(index));
    }
    await eventually(() => reader.ids().length === 1200, { what: '1200 facts published' });
    assert.deepEqual(reader.ids(), range(0, 1200), 'every fact once, in order');
    assert.ok(reader.messages.length <= 4, `1200 small facts in ${reader.messages.length} messages`);
    assert.ok(reader.messages.every((value) => value.split('\n').length <= 500));
    // Large facts: the byte bound cuts the batches.
    const before = reader.messages.length;
    for (let index = 1200; index < 1400; index += 1) {
      journal.record(fact(index, 4000));
    }
    await journal.stop();
    const large = reader.messages.slice(before);
    assert.deepEqual(reader.ids().slice(1200), range(1200, 1400));
    assert.ok(large.length >= 4, `200 facts of ~4 KiB in ${large.length} messages`);
    assert.ok(large.every((value) => Buffer.byteLength(value) <= 256 * 1024), 'no message over 256 KiB');
    await reader.close();
  });

  it('keeps what the bus refused and ships it, in order and without loss, once the bus is back', async () => {
    const reader = await busWithReader();
    const problems: string[] = [];
    const directory = freshDirectory();
    const journal = FactJournal.open({ directory, bus: reader.bus, intervalMs: 20, onProblem: (message) => problems.push(message) });
    reader.bus.down = true;
    for (let index = 0; index < 700; index += 1) {
      journal.record(fact(index));
    }
    await eventually(() => problems.some((message) => message.includes('cannot be published')), { what: 'the refused publish reported' });
    assert.deepEqual(reader.ids(), []);
    reader.bus.down = false;
    await eventually(() => reader.ids().length === 700, { what: 'the journal caught up' });
    for (let index = 700; index < 800; index += 1) {
      journal.record(fact(index));
    }
    await eventually(() => reader.ids().length === 800, { what: 'new facts after the outage' });
    await journal.stop();
    assert.deepEqual(reader.ids(), range(0, 800), 'nothing lost, nothing reordered, nothing twice');
    assert.deepEqual(journalFiles(directory), [], 'a fully shipped journal leaves no file after stop');
    await reader.close();
  });

  it('rotates its file at the size limit and deletes each old file once shipped', async () => {
    const reader = await busWithReader();
    const directory = freshDirectory();
    reader.bus.down = true;
    const journal = FactJournal.open({ directory, bus: reader.bus, intervalMs: 20, maxFileBytes: 16 * 1024 });
    // Ten facts per turn of the event loop, each turn's written together (the size is checked after each write).
    for (let index = 0; index < 300; index += 1) {
      journal.record(fact(index));
      if (index % 10 === 9) {
        await journal.written();
      }
    }
    assert.ok(journalFiles(directory).length >= 3, `rotated into ${journalFiles(directory).length} files while the bus was down`);
    reader.bus.down = false;
    await eventually(() => reader.ids().length === 300 && journalFiles(directory).length === 1, { what: 'old files shipped and deleted' });
    assert.deepEqual(reader.ids(), range(0, 300));
    await journal.stop();
    await reader.close();
  });

  it('ships every fact of a file that is rotated while a batch of it is being published', async () => {
    const reader = await busWithReader();
    const directory = freshDirectory();
    let release!: () => void;
    reader.bus.held = new Promise<void>((resolve) => (release = resolve));
    const journal = FactJournal.open({ directory, bus: reader.bus, intervalMs: 60_000, maxFileBytes: 16 * 1024 });
    for (let index = 0; index < 10; index += 1) {
      journal.record(fact(index));
    }
    await journal.written();
    const shipping = journal.ship(); // reads what the file holds now, then waits for the broker
    await eventually(() => reader.bus.publishes > 0, { what: 'the first batch on its way' });
    // Meanwhile the file grows past its limit and is closed for a new one.
    for (let index = 10; index < 300; index += 1) {
      journal.record(fact(index));
      if (index % 10 === 9) {
        await journal.written();
      }
    }
    assert.ok(journalFiles(directory).length >= 2, 'rotated while the batch was held');
    reader.bus.held = undefined;
    release();
    await shipping;
    await journal.ship();
    await eventually(() => reader.ids().length >= 300, { what: 'every fact shipped' });
    assert.deepEqual(reader.ids(), range(0, 300));
    await journal.stop();
    await reader.close();
  });

  it('ships what a process killed with SIGKILL had journaled before it answered, when the next journal opens over the directory', async () => {
    const directory = freshDirectory();
    const count = 2500;
    const child = spawn(process.execPath, [fileURLToPath(new URL('./journal-child.fixture.js', import.meta.url))], {
      env: { ...process.env, QUIVER_JOURNAL_CHILD: '1', QUIVER_JOURNAL_DIR: directory, QUIVER_JOURNAL_FACTS: String(count) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await eventually(() => output.includes('done'), { what: 'the child answered "done"' });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.equal(journalFiles(directory).length, 1, 'the killed process left its journal');

    const reader = await busWithReader();
    const journal = FactJournal.open({ directory, bus: reader.bus, intervalMs: 20 });
    await eventually(() => reader.ids().length >= count, { what: `all ${count} facts of the killed process` });
    assert.deepEqual(reader.ids(), range(0, count));
    await eventually(() => journalFiles(directory).length === 1, { what: "the adopted file deleted once shipped (only the new journal's own remains)" });
    await journal.stop();
    await reader.close();
  });

  it('never ships a file a live journal holds: two journals sharing a directory each ship their own, once', async () => {
    const reader = await busWithReader();
    const directory = freshDirectory();
    const first = FactJournal.open({ directory, bus: reader.bus, intervalMs: 20 });
    const second = FactJournal.open({ directory, bus: reader.bus, intervalMs: 20 });
    for (let index = 0; index < 100; index += 1) {
      (index % 2 === 0 ? first : second).record(fact(index));
    }
    await eventually(() => reader.ids().length >= 100, { what: 'both journals shipped' });
    // More rounds, including the scans for files whose owner is gone, must not ship anything twice.
    await Promise.all([first.ship(), second.ship(), first.ship(), second.ship()]);
    await Promise.all([first.stop(), second.stop()]);
    assert.deepEqual([...reader.ids()].sort(), range(0, 100));
    await reader.close();
  });

  it('counts page reads: one pages.read fact per project, actor and token per interval, flushed on stop', async () => {
    const reader = await busWithReader();
    const journal = FactJournal.open({ directory: freshDirectory(), bus: reader.bus, intervalMs: 20 });
    const facts = new AccessFacts('index', journal, { pageReadIntervalMs: 60_000 });
    facts.start();
    const read = { actor: 'alice', tokenId: 'tk_a', clientAddress: '10.0.0.1', userAgent: 'pip' };
    for (let index = 0; index < 5; index += 1) {
      facts.countPageRead({ ...read, project: 'demo' });
    }
    facts.countPageRead({ ...read, project: 'other' });
    facts.countPageRead({ ...read, project: 'demo', tokenId: 'tk_b' });
    facts.stop();
    await journal.stop();
    const recorded = reader.messages.flatMap((value) => decodeAccessFacts(value)).filter((f): f is AccessRecorded => f.type === 'AccessRecorded');
    const counts = recorded.map((f) => [f.action, f.project, f.tokenId, f.details['count']]);
    assert.deepEqual(counts, [
      ['pages.read', 'demo', 'tk_a', 5],
      ['pages.read', 'other', 'tk_a', 1],
      ['pages.read', 'demo', 'tk_b', 1],
    ]);
    await reader.close();
  });
});
