export * from './upload-service.module.js';
