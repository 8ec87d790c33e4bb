import { projectStreamId } from '@quiver/shared-contracts-packages';
import { EventStore, StreamConcurrencyError } from '@quiver/shared-data-access-event-store';
import { decide, foldProject, type ProjectCommand } from '@quiver/upload-domain';
import type { Database } from '@quiver/shared-ports';
import type { PublishOutcome } from '../publish-file/publish-file.handler.js';

/** Yank, unyank and delete: decided on the project stream like uploads, recorded as events. */
export class ManageReleaseHandler {
  private readonly store: EventStore;

  constructor(database: Database) {
    this.store = new EventStore(database);
  }

  async handle(command: Exclude<ProjectCommand, { type: 'PublishReleaseFile' }>, actor: string, requestId: string): Promise<PublishOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      const stream = await this.store.readStream(projectStreamId(command.project));
      const decision = decide(command, foldProject(stream.events));
      if (decision.kind !== 'events') {
        return decision.kind === 'rejected' ? { kind: 'rejected', rejection: decision.rejection } : { kind: 'unchanged' };
      }
      try {
        const appended = await this.store.append(projectStreamId(command.project), stream.version, decision.events, { actor, requestId });
        return { kind: 'published', position: appended.lastPosition, eventId: appended.events.at(-1)?.eventId ?? '' };
      } catch (error) {
        if (error instanceof StreamConcurrencyError && attempt < 5) {
          continue;
        }
        throw error;
      }
    }
  }
}
