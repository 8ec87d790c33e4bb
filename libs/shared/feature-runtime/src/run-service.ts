import { Logger, type DynamicModule, type Type } from '@nestjs/common';
import { ConfigError, loadConfig, type QuiverConfig, type RunMode } from '@quiver/shared-util-config';
import { startHttpServer } from './http-server.js';

/** What a composition root builds from the config: the module to serve, and what to close after it. */
export interface Composition {
  readonly module: Type | DynamicModule;
  /** Runs after the server has stopped and every shutdown hook ran (close databases, buses). */
  readonly close?: () => Promise<void>;
}

export interface ServiceEntry {
  /** Names the service in logs, health and telemetry. */
  readonly name: string;
  readonly compose: (config: QuiverConfig) => Promise<Composition>;
  readonly defaultMode: RunMode;
  /** Runs after config is valid and before the server listens (for example to create the data directory). */
  readonly prepare?: (config: QuiverConfig) => Promise<void>;
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
  const composition = await entry.compose(config);
  const app = await startHttpServer(composition.module, config);
  logger.log(`Quiver ${entry.name} listening on ${await app.getUrl()} (${config.mode} mode)`);
  // SIGTERM drains: stop accepting, let in-flight requests finish, run shutdown hooks, exit 0.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      return;
    }
    closing = true;
    logger.log(`${signal} received, shutting down`);
    app
      .close()
      .then(() => composition.close?.())
      .then(
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
