export * from './env.js';
export * from './database.contract.js';
export * from './eventually.js';
export * from './event-bus.contract.js';
export * from './blob-store.contract.js';
export * from './zip-writer.js';
