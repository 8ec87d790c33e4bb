export * from './index-service.module.js';
