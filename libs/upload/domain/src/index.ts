export * from './project-name.js';
