export * from './event-store.js';
export * from './event-store.migrations.js';
export * from './outbox-relay.js';
export * from './relay-runner.js';
