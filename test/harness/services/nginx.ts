import { ensureDebianPackages } from '../context.js';
import type { ServiceDefinition } from '../service.js';

/**
 * The local front door for distributed-mode suites: Debian's nginx, installed here and started by
 * the suite itself (it needs the service instances' ports, which only the suite knows).
 */
export const nginx: ServiceDefinition = {
  name: 'nginx',
  install: (ctx) => ensureDebianPackages(ctx, ['nginx-light'], ['/usr/sbin/nginx']),
  start: () => Promise.resolve({ name: 'nginx', env: { QUIVER_TEST_NGINX_BIN: '/usr/sbin/nginx' }, pids: [], stop: () => Promise.resolve() }),
};
