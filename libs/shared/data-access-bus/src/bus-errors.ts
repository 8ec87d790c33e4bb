/**
 * The bus could not be reached, or the cluster cannot currently accept the request (no leader, not
 * enough in-sync replicas); callers map this to 503 and retry later.
 */
export class EventBusUnavailableError extends Error {
  override readonly name = 'EventBusUnavailableError';
}
