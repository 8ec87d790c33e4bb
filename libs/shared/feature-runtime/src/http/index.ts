export * from './credentials.js';
export * from './problem-response.js';
