import { decodeAccessFacts, type AccessRecorded } from '@quiver/shared-contracts-identity';
import type { Database } from '@quiver/shared-ports';
import { appendFacts } from './audit-writer.js';

/**
 * Appends the `AccessRecorded` facts of journal messages (JSON lines) to the audit log in one
 * transaction, and returns for each message what is left of it for the bus (its other facts'
 * lines, or null). Decoding, hashing and inserting all happen here: in embedded mode this runs in
 * the audit database's worker thread (`auditAppendTasks`), not on the thread serving requests.
 */
export async function appendJournalMessages(db: Database, values: readonly string[]): Promise<(string | null)[]> {
  const recorded: AccessRecorded[] = [];
  const rest = values.map((value) => {
    const others: string[] = [];
    for (const fact of decodeAccessFacts(value)) {
      if (fact.type === 'AccessRecorded') {
        recorded.push(fact);
      } else {
        others.push(JSON.stringify(fact));
      }
    }
    return others.length > 0 ? others.join('\n') : null;
  });
  if (recorded.length > 0) {
    await appendFacts(db, recorded);
  }
  return rest;
}

/** The task module a `PgliteWorkerDatabase` holding the audit log is opened with. */
export const tasks = {
  appendJournalMessages,
};

/** Where `tasks` lives, for `PgliteWorkerDatabase.open({ tasks: auditAppendTasks })`. */
export const auditAppendTasks = new URL(import.meta.url);
