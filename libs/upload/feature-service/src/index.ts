export * from './upload-service.module.js';
export * from './upload.ports.js';
