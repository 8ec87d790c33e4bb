import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IDENTITY_EVENTS_TOPIC } from '@quiver/shared-contracts-identity';
import { eventStoreMigrations, RelayRunner } from '@quiver/shared-data-access-event-store';
import { ACCESS_CONTROL, ACCESS_FACTS, accessMigrations } from '@quiver/shared-feature-access';
import { healthController } from '@quiver/shared-feature-runtime';
import { AUTH_DEPENDENCIES, type AuthDependencies } from './auth.ports.js';
import { authMigrations } from './auth.migrations.js';
import { IdentityController } from './identity/identity.controller.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokenUsesController } from './tokens/token-uses.controller.js';
import { TokenLastUseConsumer } from './tokens/token-last-use.consumer.js';
import { DirectorySweeper } from './sign-in/directory-sweeper.js';
import { SignInController } from './sign-in/sign-in.controller.js';
import { SIGN_IN, SignInService } from './sign-in/sign-in.service.js';

const AUTH_RELAY = Symbol('AUTH_RELAY');
const AUTH_LAST_USE = Symbol('AUTH_LAST_USE');
const AUTH_SWEEPER = Symbol('AUTH_SWEEPER');
/** How long an answer waits for the relay run its change kicked (never for a bus that is down). */
const KICKED_RUN_WAIT_MS = 2_000;

/** Owns the auth service's lifecycle: schema at start, the identity outbox relay while running. */
class AuthLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(AUTH_DEPENDENCIES) private readonly deps: AuthDependencies,
    @Inject(AUTH_RELAY) private readonly relay: RelayRunner,
    @Inject(AUTH_LAST_USE) private readonly lastUse: TokenLastUseConsumer,
    @Inject(AUTH_SWEEPER) private readonly sweeper: DirectorySweeper | undefined,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.deps.database.migrate([...eventStoreMigrations, ...accessMigrations, ...authMigrations]);
    await this.deps.bus.ensureTopics([{ name: IDENTITY_EVENTS_TOPIC, partitions: 3 }]);
    this.relay.start();
    await this.lastUse.start();
    await this.deps.tokenUses.start();
    this.sweeper?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper?.stop();
    await this.deps.tokenUses.stop();
    await this.lastUse.stop();
    await this.relay.stop();
  }
}

/** The auth service: everything it serves, mounted by apps/auth and by the embedded registry. */
@Module({})
export class AuthServiceModule {
  static register(deps: AuthDependencies): DynamicModule {
    const logger = new Logger('auth-relay');
    const relay = RelayRunner.forOutbox(deps.database, deps.bus, { name: 'identity', topic: IDENTITY_EVENTS_TOPIC }, (message) => logger.warn(message));
    // A change is answered after the relay run it kicked (bounded by the caller's wait) and the services' confirmation.
    const running: AuthDependencies = { ...deps, awaitApplied: relay.kickedThen(KICKED_RUN_WAIT_MS, deps.awaitApplied) };
    const signIn = new SignInService(running);
    deps.onPasswordChecker?.(signIn);
    const sweeper = deps.directory ? new DirectorySweeper(running, deps.directory, Math.max(500, Math.floor((deps.directoryCacheMs ?? 300_000) / 2))) : undefined;
    return {
      module: AuthServiceModule,
      controllers: [healthController('auth'), IdentityController, TokensController, TokenUsesController, SignInController],
      providers: [
        { provide: AUTH_DEPENDENCIES, useValue: running },
        { provide: SIGN_IN, useValue: signIn },
        { provide: AUTH_SWEEPER, useValue: sweeper },
        { provide: ACCESS_CONTROL, useValue: deps.access },
        { provide: ACCESS_FACTS, useValue: deps.facts ?? null },
        { provide: AUTH_RELAY, useValue: relay },
        { provide: AUTH_LAST_USE, useValue: new TokenLastUseConsumer(deps.database, deps.bus) },
        AuthLifecycle,
      ],
    };
  }
}
