import { Logger } from '@nestjs/common';
import { DirectoryUnavailableError, type Directory, type DirectoryGroup } from '@quiver/shared-ports';
import { RateLimitedLog } from '@quiver/shared-feature-runtime';
import type { AuthDependencies } from '../auth.ports.js';
import { IdentityCommands } from '../identity/identity-commands.js';

/**
 * Reads every directory user's groups again, at most every `intervalMs` (half the cache window),
 * and records what changed: new groups (`DirectoryGroupsObserved`), a user gone from the directory
 * (`PrincipalLeftDirectory`), and that the whole directory was read (`DirectoryChecked`), so each
 * service narrows or stops a user's tokens within the window. A directory that does not answer is
 * skipped (a warning, a line a minute at most); services then trust the last read for their grace.
 */
export class DirectorySweeper {
  private readonly logger = new Logger('auth-directory');
  private readonly warnings = new RateLimitedLog((line) => this.logger.warn(line), 60_000);
  private readonly commands: IdentityCommands;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: AuthDependencies,
    private readonly directory: Directory,
    private readonly intervalMs: number,
  ) {
    this.commands = new IdentityCommands(deps);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running
        .then(() => this.sweep())
        .catch((error: unknown) => this.warnings.note(`directory re-read failed: ${error instanceof Error ? error.message : String(error)}`));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One read of every directory user still present; resolves whatever the directory did. */
  async sweep(): Promise<void> {
    const { rows } = await this.deps.database.query<{ principal: string; directory_id: string }>('SELECT principal, directory_id FROM access_directory_users WHERE left_at IS NULL ORDER BY principal');
    try {
      for (const row of rows) {
        const user = await this.directory.findUserById(row.directory_id);
        const command = user
          ? ({ type: 'ObserveDirectoryUser', principal: row.principal, directoryId: row.directory_id, username: user.username, groups: user.groups.map((group: DirectoryGroup) => group.name) } as const)
          : ({ type: 'LeaveDirectory', principal: row.principal } as const);
        const result = await this.commands.run(command, 'directory', { awaitApplied: false });
        if (!result.ok) {
          this.warnings.note(`directory user ${row.principal}: ${result.message}`);
        }
      }
      await this.commands.recordDirectoryChecked(new Date(), rows.length);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) {
        throw error;
      }
      this.warnings.note(`the directory did not answer (${error.message}); users keep their last known groups for the grace`);
    }
  }
}
