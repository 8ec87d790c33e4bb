export * from './principal.decider.js';
export * from './token-request.js';
export * from './access-review/access-review.js';
