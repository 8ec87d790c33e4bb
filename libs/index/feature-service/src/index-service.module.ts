import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PACKAGE_EVENTS_TOPIC } from '@quiver/shared-contracts-packages';
import { ACCESS_CONTROL, ACCESS_FACTS } from '@quiver/shared-feature-access';
import { CONFIRMATION_PATHS, healthController, processedEventController } from '@quiver/shared-feature-runtime';
import { FilesController } from './files/files.controller.js';
import { PypiJsonController } from './pypi-json/pypi-json.controller.js';
import { INDEX_DEPENDENCIES, type IndexDependencies } from './index.ports.js';
import { indexMigrations } from './projection/index.migrations.js';
import { IndexProjectionConsumer } from './projection/projection.consumer.js';
import { ProjectSerials } from './simple/project-serials.js';
import { SimpleController } from './simple/simple.controller.js';
import { INDEX_PROJECTION_TOKEN } from './index.tokens.js';

class IndexLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(INDEX_DEPENDENCIES) private readonly deps: IndexDependencies,
    @Inject(INDEX_PROJECTION_TOKEN) private readonly projection: IndexProjectionConsumer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.deps.database.migrate(indexMigrations);
    await this.deps.bus.ensureTopics([{ name: PACKAGE_EVENTS_TOPIC, partitions: 6 }]);
    await this.deps.accessProjection.start();
    await this.projection.start();
    this.deps.facts?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.deps.facts?.stop(); // the page reads counted so far
    await this.projection.stop();
    await this.deps.accessProjection.stop();
  }
}

/** The index service: the simple API and file downloads, served from its own read model. */
@Module({})
export class IndexServiceModule {
  /** The projection is created by the caller so the embedded app can hand its `waitFor` to the upload service. */
  static register(deps: IndexDependencies, projection: IndexProjectionConsumer): DynamicModule {
    return {
      module: IndexServiceModule,
      controllers: [
        healthController('index'),
        SimpleController,
        FilesController,
        PypiJsonController,
        processedEventController(CONFIRMATION_PATHS.indexedPackages, (eventId, timeoutMs) => projection.waitFor(eventId, timeoutMs)),
        processedEventController(CONFIRMATION_PATHS.indexAccess, (eventId, timeoutMs) => deps.accessProjection.waitFor(eventId, timeoutMs)),
      ],
      providers: [{ provide: INDEX_DEPENDENCIES, useValue: deps }, { provide: ACCESS_CONTROL, useValue: deps.access }, { provide: ACCESS_FACTS, useValue: deps.facts ?? null }, { provide: INDEX_PROJECTION_TOKEN, useValue: projection }, ProjectSerials, IndexLifecycle],
    };
  }
}
