export * from './rate-limited-log.js';
