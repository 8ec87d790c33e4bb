export * from './project-name.js';
export * from './version.js';
