export * from './index-service.module.js';
export * from './index.ports.js';
export { IndexProjectionConsumer } from './projection/projection.consumer.js';
export { indexMigrations } from './projection/index.migrations.js';
export { projectionRowHash, rebuildIndexProjection } from './projection/projection-rebuild.js';
export { ProjectReadModel } from './simple/project.read-model.js';
