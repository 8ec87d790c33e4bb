const WAIT_MS = 10_000;

/** Read-your-writes across processes: asks the index (any replica) to confirm the event is served. */
export function indexedEventWaiter(indexUrl: string): (eventId: string) => Promise<void> {
  return async (eventId) => {
    const url = new URL(`/-/index/events/${encodeURIComponent(eventId)}?waitMs=${WAIT_MS}`, indexUrl);
    const response = await fetch(url, { signal: AbortSignal.timeout(WAIT_MS + 5_000) });
    if (response.status !== 204) {
      throw new Error(`the index did not confirm event ${eventId} (HTTP ${response.status})`);
    }
  };
}
