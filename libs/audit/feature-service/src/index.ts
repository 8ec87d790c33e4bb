export * from './audit-service.module.js';
