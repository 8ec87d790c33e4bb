export * from './api-token.js';
