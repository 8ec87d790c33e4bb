export * from './audit-service.module.js';
export * from './log/audit-log.migrations.js';
export * from './reports/security-report.js';
export * from './reports/security-report.rules.js';
export * from './reports/security-report.repository.js';
export * from './reports/security-reports.js';
export * from './reports/security-report.controller.js';
