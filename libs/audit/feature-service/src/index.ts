export * from './audit-service.module.js';
export * from './log/audit-log.migrations.js';
export * from './stream/audit-cloud-event.js';
export * from './stream/audit-stream-relay.js';
export * from './stream/audit-stream.migrations.js';
