import { SetMetadata, type INestApplication } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';

/**
 * Every route declares who may call it: `@Public()` here, or `@Authenticated(…)` from
 * shared-feature-access (which also installs the guard that enforces it). A route with neither
 * stops the service at start, so a new endpoint cannot forget authentication.
 */
export const ACCESS_METADATA = 'quiver:access';

/** A route anyone may call (health, the read-your-writes confirmations between services). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(ACCESS_METADATA, 'public');

/** The routes (`Controller.method`) that declare no access; empty when all do. */
export function undeclaredRoutes(app: INestApplication): string[] {
  const missing: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) {
        continue;
      }
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
          continue;
        }
        if (Reflect.getMetadata(ACCESS_METADATA, handler) === undefined && Reflect.getMetadata(ACCESS_METADATA, controller) === undefined) {
          missing.push(`${controller.name}.${name}`);
        }
      }
    }
  }
  return missing;
}
