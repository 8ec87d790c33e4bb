export * from './access-facts.js';
export * from './fact-journal.js';
export * from './request-facts.js';
