import { EventBusUnavailableError } from './bus-errors.js';

/** kafkajs error classes meaning "the cluster is not reachable right now". */
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
]);

/** Broker error codes meaning "the cluster cannot take this request now" (no leader, too few in-sync replicas). */
const UNAVAILABLE_TYPES = new Set([
  'BROKER_NOT_AVAILABLE',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'KAFKA_STORAGE_ERROR',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/** True when the error, or one it wraps, says Kafka is unreachable or cannot serve the request for now. */
export function isKafkaUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const { type, code } = current as { type?: unknown; code?: unknown };
    if (UNAVAILABLE_NAMES.has(current.name) || (typeof type === 'string' && UNAVAILABLE_TYPES.has(type))) {
      return true;
    }
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      return true;
    }
    current = current.cause ?? (current as { originalError?: unknown }).originalError;
  }
  return false;
}

/** Runs `operation`, turning availability failures into EventBusUnavailableError. */
export async function unavailableAsError<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof EventBusUnavailableError || !isKafkaUnavailable(error)) {
      throw error;
    }
    throw new EventBusUnavailableError(`Kafka is unavailable (${what}): ${(error as Error).message}`, { cause: error });
  }
}
