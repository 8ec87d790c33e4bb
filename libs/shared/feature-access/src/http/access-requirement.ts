import { applyDecorators, createParamDecorator, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller, Permission } from '@quiver/shared-domain-access';
import { ACCESS_METADATA } from '@quiver/shared-feature-runtime';
import { AccessGuard } from './access.guard.js';

/** Who may call a route: with which credentials, and holding which registry-wide permission. */
export interface AccessRequirement {
  /**
   * `token`: Quiver API tokens only (uploads, administration); `token-or-password`: installs also
   * take a directory username and password (pip's keyring and netrc flows).
   */
  readonly credentials: 'token' | 'token-or-password';
  /**
   * A permission the caller needs whatever the request is about (`admin:*` for the admin API).
   * Per-project permissions are checked by the handler once it knows the project.
   */
  readonly permission?: Permission;
}

/** Declares a route's access and installs the guard that enforces it; the caller is then `@CurrentCaller()`. */
export const Authenticated = (requirement: AccessRequirement): ClassDecorator & MethodDecorator =>
  applyDecorators(SetMetadata(ACCESS_METADATA, requirement), UseGuards(AccessGuard));

export const CALLER = Symbol('quiver.caller');

export type AuthenticatedRequest = FastifyRequest & { [CALLER]?: Caller };

/** The caller the access guard authenticated for this request. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>()[CALLER];
  if (!caller) {
    throw new Error('@CurrentCaller() on a route without @Authenticated(…)');
  }
  return caller;
});
