import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { IdentityCommand } from '@quiver/auth-domain';
import type { AuthDependencies } from '../auth.ports.js';
import { IdentityHandler } from './identity.handler.js';

export type CommandResult = { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly status: 400 | 404; readonly code: string; readonly message: string };

/**
 * Runs an identity command for an actor and answers once upload and index applied the change (a
 * token or grant works the moment the administrator is told it exists), bounded like uploads' wait.
 */
export class IdentityCommands {
  private readonly logger = new Logger('auth');
  private readonly handler: IdentityHandler;

  constructor(private readonly deps: AuthDependencies) {
    this.handler = new IdentityHandler(deps.database, deps.access);
  }

  /** `awaitApplied: false` answers once recorded (a background job nobody waits on). */
  async run(command: IdentityCommand, actor: string, options: { readonly awaitApplied?: boolean } = {}): Promise<CommandResult> {
    const outcome = await this.handler.handle(command, actor, randomUUID());
    if (outcome.kind === 'rejected') {
      return { ok: false, status: outcome.code === 'not-found' ? 404 : 400, code: outcome.code, message: outcome.message };
    }
    if (outcome.kind === 'changed' && options.awaitApplied !== false) {
      this.logger.log(`${command.type} for ${command.principal} by ${actor}`);
      // Recorded: the answer is a success whatever the bus does; the wait is bounded (as for uploads).
      await this.deps.awaitApplied(outcome.eventId).catch((error: unknown) => {
        this.logger.warn(`not yet applied everywhere (${error instanceof Error ? error.message : String(error)}); the relay catches up`);
      });
    }
    return { ok: true, changed: outcome.kind === 'changed' };
  }

  /** Records that every directory user was read again at `at` (one replica's record is enough). */
  recordDirectoryChecked(at: Date, users: number): Promise<void> {
    return this.handler.recordDirectoryChecked(at, users);
  }
}
