export * from './body-deadline.js';
export * from './credentials.js';
export * from './problem-response.js';
export * from './unavailable.filter.js';
