export * from './access.migrations.js';
export * from './access.projection.js';
export * from './access-control.js';
export * from './access-projection.consumer.js';
export * from './http/index.js';
export * from './remote-token-use-counter.js';
export * from './token-use-recorder.js';
export * from './password-check.js';
