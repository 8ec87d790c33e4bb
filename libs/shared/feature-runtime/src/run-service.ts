import { Logger, type Type } from '@nestjs/common';
import { ConfigError, loadConfig, type RunMode } from '@quiver/shared-util-config';
import { startHttpServer } from './http-server.js';

export interface ServiceEntry {
  /** Names the service in logs, health and telemetry. */
  readonly name: string;
  readonly module: Type;
  readonly defaultMode: RunMode;
  /** Runs after config is valid and before the server listens (for example to create the data directory). */
  readonly prepare?: (config: ReturnType<typeof loadConfig>) => Promise<void>;
}

/** The whole of a service's `main`: validate config, start the server, say where it listens. */
export async function runService(entry: ServiceEntry): Promise<void> {
  const logger = new Logger(entry.name);
  let config;
  try {
    config = loadConfig(process.env, { serviceName: entry.name, mode: entry.defaultMode });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await entry.prepare?.(config);
  const app = await startHttpServer(entry.module, config);
  logger.log(`Quiver ${entry.name} listening on ${await app.getUrl()} (${config.mode} mode)`);
  // SIGTERM drains: stop accepting, let in-flight requests finish, run shutdown hooks, exit 0.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      return;
    }
    closing = true;
    logger.log(`${signal} received, shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
