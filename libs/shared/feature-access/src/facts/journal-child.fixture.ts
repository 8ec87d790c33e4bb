/**
 * Test support for fact-journal.int.spec: a process that journals N facts over a bus that never
 * acknowledges (Kafka unreachable), says `done`, and waits to be killed with SIGKILL.
 */
import type { AccessRecorded } from '@quiver/shared-contracts-identity';
import type { EventBus } from '@quiver/shared-ports';
import { FactJournal } from './fact-journal.js';

export const childFactId = (index: number): string => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

export function childFact(index: number): AccessRecorded {
  return {
    id: childFactId(index),
    type: 'AccessRecorded',
    schemaVersion: 1,
    service: 'index',
    time: new Date().toISOString(),
    action: 'file.download',
    outcome: 'success',
    actor: 'ci-bot',
    tokenId: 'tk_0123456789abcdef',
    clientAddress: '10.0.0.1',
    userAgent: 'pip/24.0',
    project: 'demo',
    version: '1.0',
    filename: 'demo-1.0-py3-none-any.whl',
    status: 200,
    reason: null,
    details: { index },
  };
}

const unreachable: EventBus = {
  ensureTopics: () => new Promise<void>(() => undefined),
  publish: () => new Promise<void>(() => undefined),
  subscribe: () => Promise.reject(new Error('not here')),
  close: () => Promise.resolve(),
};

if (process.env['QUIVER_JOURNAL_CHILD'] === '1') {
  const journal = FactJournal.open({ directory: process.env['QUIVER_JOURNAL_DIR'] ?? '', bus: unreachable, intervalMs: 10 });
  const count = Number(process.env['QUIVER_JOURNAL_FACTS'] ?? '0');
  for (let index = 0; index < count; index += 1) {
    journal.record(childFact(index));
  }
  await journal.written();
  process.stdout.write('done\n'); // "answered": every fact is journaled before this
  setInterval(() => undefined, 60_000);
}
