import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller, Get, Module, SetMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ACCESS_METADATA, Public, undeclaredRoutes } from './access-declaration.js';

@Controller('open')
@Public()
class OpenController {
  @Get()
  read(): string {
    return 'ok';
  }
}

@Controller('mixed')
class MixedController {
  @Get('declared')
  @SetMetadata(ACCESS_METADATA, { credentials: 'token' })
  declared(): string {
    return 'ok';
  }

  @Get('forgotten')
  forgotten(): string {
    return 'ok';
  }

  /** Not a route: needs no declaration. */
  helper(): string {
    return 'ok';
  }
}

@Module({ controllers: [OpenController, MixedController] })
class AppModule {}

describe('access declarations', () => {
  it('names every route that declares neither @Public() nor a requirement, on the controller or the method', async () => {
    const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
    try {
      assert.deepEqual(undeclaredRoutes(app), ['MixedController.forgotten']);
    } finally {
      await app.close();
    }
  });
});
