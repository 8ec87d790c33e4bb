export * from '@quiver/shared-domain-packaging';
export * from './distribution-filename.js';
export * from './upload-rejection.js';
export * from './upload-form.js';
export * from './project.decider.js';
