export * from './access-declaration.js';
export * from './body-deadline.js';
export * from './control-characters.js';
export * from './credentials.js';
export * from './problem-response.js';
export * from './single-query.js';
export * from './unavailable.filter.js';
export * from './answer-hook.js';
