export * from './principal.decider.js';
export * from './token-request.js';
