import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The one value of query parameter `name` (`undefined` when absent). The query parser gives an
 * array for a parameter that appears more than once (`?format=a&format=b`): that is a client error,
 * a 400 naming the parameter, never a value of the wrong type in a handler.
 */
export function singleQueryValue(query: unknown, name: string): string | undefined {
  const value: unknown = typeof query === 'object' && query !== null && Object.hasOwn(query, name) ? (query as Record<string, unknown>)[name] : undefined;
  if (value === undefined || typeof value === 'string') {
    return value;
  }
  const times = Array.isArray(value) ? `${value.length} times` : 'in an unexpected form';
  throw new BadRequestException({
    code: 'repeated-query-parameter',
    message: `Bad request: the query parameter '${name}' is given ${times}; give it at most once.`,
  });
}

/** Binds a single-valued query parameter, like `@Query(name)` but refusing a repeated one with 400 (see `singleQueryValue`). */
export const SingleQuery = createParamDecorator((name: string, context: ExecutionContext): string | undefined =>
  singleQueryValue(context.switchToHttp().getRequest<FastifyRequest>().query, name),
);
