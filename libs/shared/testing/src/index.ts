export * from './env.js';
export * from './database.contract.js';
