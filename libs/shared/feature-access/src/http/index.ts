export * from './access-denied.exception.js';
export * from './access-requirement.js';
export * from './access.guard.js';
