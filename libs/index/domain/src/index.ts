export * from './project-page.model.js';
export * from './content-negotiation.js';
export * from './simple-html.js';
export * from './simple-json.js';
export * from './project-url.js';
export * from './conditional-request.js';
