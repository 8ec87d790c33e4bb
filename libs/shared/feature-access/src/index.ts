export * from './access.migrations.js';
export * from './access.projection.js';
export * from './access-control.js';
export * from './access-projection.consumer.js';
