export * from './access-policy.js';
export * from './duration.js';
export * from './token-scope.js';
export * from './cidr.js';
export * from './refusal.js';
