import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { INDEX_PROJECTION_TOKEN } from '../index.tokens.js';
import type { IndexProjectionConsumer } from './projection.consumer.js';

const MAX_WAIT_MS = 30_000;

/**
 * `GET /-/index/events/<id>?waitMs=N`: 204 once the event is in the read model, 404 if it is not
 * after the wait. The upload service calls it for read-your-writes in distributed mode.
 */
@Controller('-/index/events')
export class IndexedEventController {
  constructor(@Inject(INDEX_PROJECTION_TOKEN) private readonly projection: IndexProjectionConsumer) {}

  @Get(':eventId')
  async indexed(@Param('eventId') eventId: string, @Query('waitMs') waitMs: string | undefined, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (!/^[0-9a-f-]{36}$/.test(eventId)) {
      return reply.code(404).send();
    }
    const wait = Math.min(Math.max(Number(waitMs) || 0, 0), MAX_WAIT_MS);
    try {
      await this.projection.waitFor(eventId, wait);
      return reply.code(204).send();
    } catch {
      return reply.code(404).send();
    }
  }
}
