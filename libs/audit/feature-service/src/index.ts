export * from './audit-service.module.js';
export * from './log/audit-log.migrations.js';
