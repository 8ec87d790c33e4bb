import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule, LogLevel, Type } from '@nestjs/common';
import type { QuiverConfig } from '@quiver/shared-util-config';
import { undeclaredRoutes } from './http/access-declaration.js';
import { listenForAnswers } from './http/answer-hook.js';
import { boundBody, hasBody } from './http/body-deadline.js';
import { BufferPressureValve, minorCollection } from './http/buffer-pressure.js';
import { sendProblem } from './http/problem-response.js';
import { refuseControlCharacters } from './http/control-characters.js';
import { answerFrameworkError, MAX_PATH_SEGMENT } from './http/framework-errors.js';
import { UnavailableFilter } from './http/unavailable.filter.js';

const LOG_LEVELS: Record<QuiverConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** Bodies above this get the buffer-pressure valve. */
const LARGE_BODY_BYTES = 8 * 1024 * 1024;
/** How long the rest of a body is read and dropped after an answer that came before its end. */
const LINGER_MS = 5_000;

/** Builds a Nest application on Fastify and listens on the configured address. */
export async function startHttpServer(module: Type | DynamicModule, config: QuiverConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({
      logger: false,
      // `/simple/x` and `/simple/x/` reach one handler, which decides about the redirect itself.
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT },
      frameworkErrors: answerFrameworkError,
      // request.ip is the client: X-Forwarded-For is believed only from the proxies named here.
      trustProxy: config.http.trustedProxies.length > 0 ? [...config.http.trustedProxies] : false,
      bodyLimit: 1024 * 1024,
    }), {
    logger: LOG_LEVELS[config.logLevel],
  });
  const undeclared = undeclaredRoutes(app);
  if (undeclared.length > 0) {
    throw new Error(`Every route must declare its access with @Authenticated(…) or @Public(); these do not: ${undeclared.join(', ')}.`);
  }
  app.useGlobalFilters(new UnavailableFilter());
  listenForAnswers(app.getHttpAdapter().getInstance()); // access facts are recorded before an answer goes out
  app.getHttpAdapter().getInstance().addHook('onRequest', refuseControlCharacters); // 400 before any route (control-characters.ts)
  // Multipart bodies are streamed part by part by the handlers that take them (the upload API).
  await app.register(multipart);
  // Large bodies (uploads) keep buffer memory flat while they are in flight (see BufferPressureValve).
  const valve = new BufferPressureValve(minorCollection());
  const timeouts = { idleMs: config.http.bodyIdleMs, totalMs: config.http.bodyTimeoutMs, lingerMs: LINGER_MS };
  app.getHttpAdapter().getInstance().addHook('onRequest', (request, reply, done) => {
    // Every body is held to its time bounds, so a stalled client holds no connection or temp space for long.
    if (hasBody(request.raw)) {
      boundBody(request.raw, reply.raw, timeouts, (message) => void sendProblem(request, reply.header('connection', 'close'), 408, 'request-timeout', message));
    }
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > LARGE_BODY_BYTES || (request.headers['transfer-encoding'] !== undefined && request.method !== 'GET')) {
      reply.raw.once('close', valve.enter());
    }
    done();
  });
  await app.listen(config.http.port, config.http.host);
  return app;
}
