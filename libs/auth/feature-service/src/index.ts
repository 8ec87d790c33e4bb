export * from './auth-service.module.js';
export * from './auth.ports.js';
