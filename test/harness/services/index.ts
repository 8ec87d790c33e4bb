import type { ServiceDefinition } from '../service.js';
import { kafka } from './kafka.js';
import { ldap } from './ldap.js';
import { nginx } from './nginx.js';
import { postgres } from './postgres.js';
import { python } from './python.js';
import { s3 } from './s3.js';

/** Every real service the integration and end-to-end suites run against. */
export const allServices: readonly ServiceDefinition[] = [postgres, kafka, s3, ldap, python, nginx];
