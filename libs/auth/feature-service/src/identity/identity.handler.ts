import { DIRECTORY_STREAM_ID, principalStreamId, upcastIdentityEvent, type StoredIdentityEvent } from '@quiver/shared-contracts-identity';
import { EventStore, StreamConcurrencyError } from '@quiver/shared-data-access-event-store';
import { applyIdentityEvent, type AccessControl } from '@quiver/shared-feature-access';
import type { Database } from '@quiver/shared-ports';
import { decide, foldPrincipal, type IdentityCommand } from '@quiver/auth-domain';

export type IdentityOutcome =
  | { readonly kind: 'changed'; readonly eventId: string }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rejected'; readonly code: 'invalid' | 'not-found'; readonly message: string };

const MAX_ATTEMPTS = 10;

/**
 * Runs an identity command against the principal's stream: decide on the current state, then append
 * the events and apply them to this service's access projection in the same transaction.
 */
export class IdentityHandler {
  private readonly store: EventStore<StoredIdentityEvent>;

  constructor(
    database: Database,
    private readonly access: AccessControl,
  ) {
    this.store = new EventStore<StoredIdentityEvent>(database);
  }

  /** Appends `DirectoryChecked`; a replica that recorded one at the same moment wins and this one is dropped. */
  async recordDirectoryChecked(at: Date, users: number): Promise<void> {
    const { version } = await this.store.readStream(DIRECTORY_STREAM_ID);
    try {
      await this.store.append(DIRECTORY_STREAM_ID, version, [{ type: 'DirectoryChecked', schemaVersion: 1, data: { checkedAt: at.toISOString(), users } }], { actor: 'directory' }, async (tx, recorded) => {
        for (const event of recorded) {
          await applyIdentityEvent(tx, upcastIdentityEvent(event));
        }
      });
      this.access.invalidate();
    } catch (error) {
      if (!(error instanceof StreamConcurrencyError)) {
        throw error;
      }
    }
  }

  async handle(command: IdentityCommand, actor: string, requestId: string): Promise<IdentityOutcome> {
    const streamId = principalStreamId(command.principal);
    for (let attempt = 1; ; attempt += 1) {
      const { events, version } = await this.store.readStream(streamId);
      const decision = decide(command, foldPrincipal(events.map(upcastIdentityEvent)));
      if (!decision.ok) {
        return { kind: 'rejected', code: decision.code, message: decision.message };
      }
      if (decision.events.length === 0) {
        return { kind: 'unchanged' };
      }
      try {
        const result = await this.store.append(streamId, version, decision.events, { actor, requestId }, async (tx, recorded) => {
          for (const event of recorded) {
            await applyIdentityEvent(tx, upcastIdentityEvent(event));
          }
        });
        this.access.invalidate();
        const last = result.events.at(-1);
        return last ? { kind: 'changed', eventId: last.eventId } : { kind: 'unchanged' };
      } catch (error) {
        if (!(error instanceof StreamConcurrencyError) || attempt >= MAX_ATTEMPTS) {
          throw error;
        }
      }
    }
  }
}
