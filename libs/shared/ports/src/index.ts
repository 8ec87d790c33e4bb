export * from './blob-store.port.js';
export * from './database.port.js';
export * from './directory.port.js';
export * from './event-bus.port.js';
