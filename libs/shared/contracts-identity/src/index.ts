export * from './identity-events.js';
export * from './access-facts.js';
