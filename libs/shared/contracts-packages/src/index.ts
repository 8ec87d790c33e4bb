export * from './package-events.js';
export * from './package-event.codec.js';
export * from './recorded-event.js';
