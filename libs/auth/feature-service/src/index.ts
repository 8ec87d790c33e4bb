export * from './auth-service.module.js';
export * from './auth.ports.js';
export * from './tokens/token-use-count.js';
export * from './review/project-catalog.js';
export * from './review/access-reviews.js';
