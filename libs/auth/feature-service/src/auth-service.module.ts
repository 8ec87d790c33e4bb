import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IDENTITY_EVENTS_TOPIC } from '@quiver/shared-contracts-identity';
import { eventStoreMigrations, RelayRunner } from '@quiver/shared-data-access-event-store';
import { ACCESS_CONTROL, accessMigrations } from '@quiver/shared-feature-access';
import { healthController } from '@quiver/shared-feature-runtime';
import { AUTH_DEPENDENCIES, type AuthDependencies } from './auth.ports.js';
import { authMigrations } from './auth.migrations.js';
import { IdentityController } from './identity/identity.controller.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokenUsesController } from './tokens/token-uses.controller.js';

const AUTH_RELAY = Symbol('AUTH_RELAY');
/** How long an answer waits for the relay run its change kicked (never for a bus that is down). */
const KICKED_RUN_WAIT_MS = 2_000;

/** Owns the auth service's lifecycle: schema at start, the identity outbox relay while running. */
class AuthLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(AUTH_DEPENDENCIES) private readonly deps: AuthDependencies,
    @Inject(AUTH_RELAY) private readonly relay: RelayRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.deps.database.migrate([...eventStoreMigrations, ...accessMigrations, ...authMigrations]);
    await this.deps.bus.ensureTopics([{ name: IDENTITY_EVENTS_TOPIC, partitions: 3 }]);
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/** The auth service: everything it serves, mounted by apps/auth and by the embedded registry. */
@Module({})
export class AuthServiceModule {
  static register(deps: AuthDependencies): DynamicModule {
    const logger = new Logger('auth-relay');
    const relay = RelayRunner.forOutbox(deps.database, deps.bus, { name: 'identity', topic: IDENTITY_EVENTS_TOPIC }, (message) => logger.warn(message));
    return {
      module: AuthServiceModule,
      controllers: [healthController('auth'), IdentityController, TokensController, TokenUsesController],
      providers: [
        // A change is answered after the relay run it kicked (bounded by the caller's wait) and the services' confirmation.
        { provide: AUTH_DEPENDENCIES, useValue: { ...deps, awaitApplied: relay.kickedThen(KICKED_RUN_WAIT_MS, deps.awaitApplied) } satisfies AuthDependencies },
        { provide: ACCESS_CONTROL, useValue: deps.access },
        { provide: AUTH_RELAY, useValue: relay },
        AuthLifecycle,
      ],
    };
  }
}
