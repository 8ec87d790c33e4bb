import { decodeIdentityEvent, IDENTITY_EVENTS_TOPIC } from '@quiver/shared-contracts-identity';
import { waitUntilSeen } from '@quiver/shared-feature-runtime';
import type { Database, EventBus, Subscription } from '@quiver/shared-ports';
import { accessMigrations } from './access.migrations.js';
import { applyIdentityEvent } from './access.projection.js';
import { AccessControl, type AccessControlOptions, type TokenUseListener } from './access-control.js';
import type { AccessFacts } from './facts/access-facts.js';
import { TokenUseRecorder } from './token-use-recorder.js';

/**
 * Keeps a service's access projection current from `quiver.identity.v1` (one consumer group per
 * service; its replicas share the projection through their database). A message that fails to
 * decode or apply is retried by the bus and then dead-lettered, never dropped.
 */
export class AccessProjectionConsumer {
  private subscription: Subscription | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly group: string,
    private readonly access: AccessControl,
    /** Publishes the uses of tokens this service saw; started and stopped with the projection. */
    private readonly tokenUses?: TokenUseRecorder,
  ) {}

  async start(): Promise<void> {
    await this.db.migrate(accessMigrations);
    await this.bus.ensureTopics([{ name: IDENTITY_EVENTS_TOPIC, partitions: 3 }]);
    this.subscription = await this.bus.subscribe({
      group: this.group,
      topics: [IDENTITY_EVENTS_TOPIC],
      fromBeginning: true,
      handle: async (message) => {
        const event = decodeIdentityEvent(message.value);
        if (await this.db.transaction((tx) => applyIdentityEvent(tx, event))) {
          this.access.invalidate(); // after the commit: a revoked token stops working here at once
        }
        this.listeners.forEach((listener) => listener());
      },
    });
    await this.tokenUses?.start();
  }

  async stop(): Promise<void> {
    await this.tokenUses?.stop();
    await this.subscription?.stop();
  }

  /** Resolves once the event is in this service's access projection, or rejects after `timeoutMs`. */
  waitFor(eventId: string, timeoutMs: number): Promise<void> {
    const seen = async (): Promise<boolean> => (await this.db.query('SELECT 1 FROM access_processed_events WHERE event_id = $1', [eventId])).rowCount > 0;
    return waitUntilSeen(seen, this.listeners, timeoutMs, `identity event ${eventId}`);
  }
}

/**
 * A service's access control over its own database, with the consumer that keeps it current
 * (consumer group `quiver-<service>-access`). With `facts`, every request an emergency token
 * authenticates is a `token.use` fact.
 */
export function serviceAccess(
  service: string,
  database: Database,
  bus: EventBus,
  options: AccessControlOptions,
  facts?: AccessFacts,
): { readonly access: AccessControl; readonly accessProjection: AccessProjectionConsumer; readonly facts?: AccessFacts } {
  const tokenUses = new TokenUseRecorder(service, bus);
  const onUse = factsOnUse(facts, (use) => tokenUses.record(use));
  const access = new AccessControl(database, { ...options, onUse });
  return { access, accessProjection: new AccessProjectionConsumer(database, bus, `quiver-${service}-access`, access, tokenUses), ...(facts ? { facts } : {}) };
}

/** A token-use listener that also records a `token.use` fact for each use of an emergency token. */
export function factsOnUse(facts: AccessFacts | undefined, next: TokenUseListener): TokenUseListener {
  if (!facts) {
    return next;
  }
  return (use) => {
    next(use);
    if (use.kind === 'emergency') {
      facts.record({ action: 'token.use', outcome: 'success', actor: use.principal, tokenId: use.tokenId, clientAddress: use.address, details: { kind: use.kind } });
    }
  };
}
