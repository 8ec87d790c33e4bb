import type { HarnessContext } from './context.js';

/** A real dependency the tests run against, as a native process on loopback. */
export interface ServiceDefinition {
  readonly name: string;
  /** Installs or downloads what is missing into the cache; a no-op when the cache is warm. */
  install(ctx: HarnessContext): Promise<void>;
  /** Starts the service on free loopback ports with its data under `ctx.runDir`, and waits until it is healthy. */
  start(ctx: HarnessContext): Promise<RunningService>;
}

export interface RunningService {
  readonly name: string;
  /** What tests need to reach it, as environment variables (QUIVER_TEST_*). */
  readonly env: Readonly<Record<string, string>>;
  /** Every process this service started; the harness stops exactly these. */
  readonly pids: readonly number[];
  /** Graceful stop; the harness kills the PIDs that are still alive afterwards. */
  stop(): Promise<void>;
  /** Fault injection: SIGKILL the service and wait until it is gone (where supported). */
  kill?(): Promise<void>;
  /** Starts it again with the same configuration, ports and data, and waits until it is healthy. */
  restart?(): Promise<void>;
}
