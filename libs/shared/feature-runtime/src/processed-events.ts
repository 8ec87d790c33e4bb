import { Public } from './http/access-declaration.js';
import { Controller, Get, Param, Query, Res, type Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** Where each service confirms it applied an event, for another service's read-your-writes. */
export const CONFIRMATION_PATHS = {
  /** The index serves a package event (asked by upload). */
  indexedPackages: '/-/index/events',
  /** Upload's and index's access projections hold an identity event (asked by auth). */
  uploadAccess: '/-/upload/access-events',
  indexAccess: '/-/index/access-events',
} as const;

/** How often a wait re-reads the database: other replicas' consumers are seen only there. */
const POLL_MS = 250;
const MAX_WAIT_MS = 30_000;

/**
 * Resolves once `seen()` is true, checking at once, whenever a local consumer signals through
 * `listeners`, and every 250 ms; rejects after `timeoutMs`.
 */
export async function waitUntilSeen(seen: () => Promise<boolean>, listeners: Set<() => void>, timeoutMs: number, what: string): Promise<void> {
  if (await seen()) {
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      void seen().then((done) => {
        if (done) {
          finish();
          resolve();
        }
      }, reject);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${what} not applied within ${timeoutMs} ms`));
    }, timeoutMs);
    const poll = setInterval(check, POLL_MS);
    const finish = (): void => {
      clearTimeout(timer);
      clearInterval(poll);
      listeners.delete(check);
    };
    listeners.add(check);
    check();
  });
}

/**
 * `GET /<path>/<event id>?waitMs=N`: 204 once this service's projection has applied the event, 404
 * if it has not after the wait. Another service calls it for read-your-writes across processes.
 */
export function processedEventController(path: string, waitFor: (eventId: string, timeoutMs: number) => Promise<void>): Type {
  @Controller(path)
  @Public()
  class ProcessedEventController {
    @Get(':eventId')
    async processed(@Param('eventId') eventId: string, @Query('waitMs') waitMs: string | undefined, @Res() reply: FastifyReply): Promise<FastifyReply> {
      if (!/^[0-9a-f-]{36}$/.test(eventId)) {
        return reply.code(404).send();
      }
      const wait = Math.min(Math.max(Number(waitMs) || 0, 0), MAX_WAIT_MS);
      try {
        await waitFor(eventId, wait);
        return reply.code(204).send();
      } catch {
        return reply.code(404).send();
      }
    }
  }
  return ProcessedEventController;
}

/** Asks another service (any replica, through `baseUrl`) to confirm it applied the event; rejects otherwise. */
export function remoteEventWaiter(baseUrl: string, path: string, waitMs = 10_000): (eventId: string) => Promise<void> {
  return async (eventId) => {
    const url = new URL(`${path}/${encodeURIComponent(eventId)}?waitMs=${waitMs}`, baseUrl);
    const response = await fetch(url, { signal: AbortSignal.timeout(waitMs + 5_000) });
    if (response.status !== 204) {
      throw new Error(`${path} did not confirm event ${eventId} (HTTP ${response.status})`);
    }
  };
}
