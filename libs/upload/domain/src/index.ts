export * from './project-name.js';
export * from './version.js';
export * from './distribution-filename.js';
export * from './upload-rejection.js';
export * from './upload-form.js';
export * from './project.decider.js';
