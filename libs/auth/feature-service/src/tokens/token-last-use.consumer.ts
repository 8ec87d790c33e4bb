import { ACCESS_FACTS_TOPIC, decodeAccessFacts } from '@quiver/shared-contracts-identity';
import type { EventBus, SqlExecutor, Subscription } from '@quiver/shared-ports';

/**
 * Keeps each token's last use (time and client address) in the auth service's projection from the
 * `TokensUsed` facts every service publishes about once a second. Idempotent: a use older than the
 * one recorded changes nothing, so a fact delivered twice or late does no harm.
 */
export class TokenLastUseConsumer {
  private subscription: Subscription | undefined;

  constructor(
    private readonly db: SqlExecutor,
    private readonly bus: EventBus,
  ) {}

  async start(): Promise<void> {
    await this.bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 3 }]);
    this.subscription = await this.bus.subscribe({
      group: 'quiver-auth-token-uses',
      topics: [ACCESS_FACTS_TOPIC],
      fromBeginning: true,
      handle: async (message) => {
        // The topic also carries the audit's `AccessRecorded` facts: only `TokensUsed` concerns last use.
        for (const fact of decodeAccessFacts(message.value)) {
          if (fact.type !== 'TokensUsed') {
            continue;
          }
          for (const use of fact.data.uses) {
            await this.db.query(
              'UPDATE access_tokens SET last_used_at = $2, last_used_from = $3 WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
              [use.tokenId, use.at, use.address],
            );
          }
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
