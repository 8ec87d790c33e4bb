/**
 * Access facts: what happened at the door of each service (a token used, …), published on
 * `quiver.access.v1`. Facts are not event-sourced: each carries its own id, so a consumer that sees
 * one twice can tell. The auth service keeps tokens' last use from them; the audit service will log them.
 */
import { InvalidEventError, isObject, isString } from '@quiver/shared-contracts-packages';

export const ACCESS_FACTS_TOPIC = 'quiver.access.v1';

export interface TokenUse {
  readonly tokenId: string;
  /** ISO time of the last request the token authenticated in this batch. */
  readonly at: string;
  /** The client's address as the service saw it (behind trusted proxies: the forwarded one). */
  readonly address: string;
}

/** The tokens one service saw used since its last such fact, each with its latest use. */
export interface TokensUsed {
  readonly id: string;
  readonly type: 'TokensUsed';
  readonly schemaVersion: 1;
  readonly service: string;
  readonly recordedAt: string;
  readonly data: { readonly uses: readonly TokenUse[] };
}

export type AccessFact = TokensUsed;

const isUse = (value: unknown): value is TokenUse => isObject(value) && isString(value['tokenId']) && isString(value['at']) && !Number.isNaN(Date.parse(value['at'])) && isString(value['address']);

/** Parses a message of the access topic, or throws `InvalidEventError`. */
export function decodeAccessFact(text: string): AccessFact {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidEventError('message is not JSON');
  }
  if (!isObject(parsed) || parsed['type'] !== 'TokensUsed' || parsed['schemaVersion'] !== 1 || !isString(parsed['id']) || !isString(parsed['service']) || !isString(parsed['recordedAt'])) {
    throw new InvalidEventError('not a TokensUsed fact of schema version 1');
  }
  const data = parsed['data'];
  if (!isObject(data) || !Array.isArray(data['uses']) || !data['uses'].every(isUse)) {
    throw new InvalidEventError('TokensUsed data.uses is missing or malformed');
  }
  return parsed as unknown as TokensUsed;
}
