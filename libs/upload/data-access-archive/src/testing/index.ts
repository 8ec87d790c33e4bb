/** Test-only archive builders (`@quiver/upload-data-access-archive/testing`): hostile wheels and sdists for the unit and end-to-end suites. */
export * from './fixtures.js';
export * from './tar-writer.js';
export * from './zip-writer.js';
