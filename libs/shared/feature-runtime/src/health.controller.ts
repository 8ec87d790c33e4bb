import { Controller, Get, type Type } from '@nestjs/common';
import { Public } from './http/access-declaration.js';

export interface HealthReport {
  readonly status: 'ok';
  readonly service: string;
  readonly uptimeSeconds: number;
}

/** `GET /-/<service>/health`: one liveness endpoint per service, distinct even when all run on one port. */
export function healthController(service: string): Type {
  @Controller(`-/${service}`)
  @Public()
  class HealthController {
    @Get('health')
    health(): HealthReport {
      return { status: 'ok', service, uptimeSeconds: Math.round(process.uptime()) };
    }
  }
  return HealthController;
}
