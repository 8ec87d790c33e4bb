import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlobStoreUnavailableError, DatabaseUnavailableError, DirectoryUnavailableError } from '@quiver/shared-ports';
import { sendProblem } from './problem-response.js';

const UNAVAILABLE = new Set(['DatabaseUnavailableError', 'BlobStoreUnavailableError', 'EventBusUnavailableError', 'DirectoryUnavailableError', 'TokenUseCountUnavailableError']);

/**
 * The one place infrastructure failures become HTTP: a dependency that is down gives 503 with
 * Retry-After (twine retries 5xx), never a 200 and never a crash; anything unexpected is a 500
 * whose body names no internals.
 */
@Catch()
export class UnavailableFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (error instanceof HttpException) {
      // A refusal may come with headers (a 401's Basic challenge, a 429's Retry-After).
      const headers = (error as { headers?: unknown }).headers;
      for (const [name, value] of Object.entries(typeof headers === 'object' && headers !== null ? headers : {})) {
        void reply.header(name, String(value));
      }
      void sendProblem(request, reply, error.getStatus(), codeOf(error), error.message);
      return;
    }
    const name = error instanceof Error ? error.name : '';
    if (
      UNAVAILABLE.has(name) ||
      error instanceof DatabaseUnavailableError ||
      error instanceof BlobStoreUnavailableError ||
      error instanceof DirectoryUnavailableError
    ) {
      this.logger.warn(`${request.method} ${request.url.split('?')[0] ?? ''}: ${name}`);
      void sendProblem(request, reply.header('retry-after', '5'), 503, 'unavailable', 'Service temporarily unavailable: a storage dependency is down. Retry shortly.');
      return;
    }
    this.logger.error(`${request.method} ${request.url.split('?')[0] ?? ''} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void sendProblem(request, reply, 500, 'internal', 'Internal error.');
  }
}

/** The `code` an exception was raised with (`new BadRequestException({ code, message })`), else `http-error`. */
function codeOf(error: HttpException): string {
  const response = error.getResponse();
  const code = typeof response === 'object' && 'code' in response ? response.code : undefined;
  return typeof code === 'string' ? code : 'http-error';
}
