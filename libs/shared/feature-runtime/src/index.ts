export * from './health.controller.js';
export * from './http-server.js';
export * from './run-service.js';
export * from './http/index.js';
export * from './logging/index.js';
export * from './distributed-adapters.js';
export * from './processed-events.js';
