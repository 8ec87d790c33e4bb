import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RelayRunner } from '@quiver/shared-data-access-event-store';
import { PACKAGE_EVENTS_TOPIC } from '@quiver/shared-contracts-packages';
import { ACCESS_CONTROL, ACCESS_FACTS } from '@quiver/shared-feature-access';
import { CONFIRMATION_PATHS, healthController, processedEventController } from '@quiver/shared-feature-runtime';
import { BlobMaintenance } from './maintenance/blob-maintenance.js';
import { MaintenanceController } from './maintenance/maintenance.controller.js';
import { OrphanGcSchedule } from './maintenance/orphan-gc-schedule.js';
import { ManageReleaseController } from './manage-release/manage-release.controller.js';
import { ProjectSettingsController } from './project-settings/project-settings.controller.js';
import { PublishFileController } from './publish-file/publish-file.controller.js';
import { uploadMigrations } from './publish-file/upload.migrations.js';
import { UploadTempDirs } from './publish-file/upload-temp-dirs.js';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from './upload.ports.js';

export const UPLOAD_RELAY = Symbol('UPLOAD_RELAY');
export const UPLOAD_ORPHAN_GC = Symbol('UPLOAD_ORPHAN_GC');

/** How long an answer waits for the relay run its upload kicked, before it asks the index (F1: never for Kafka). */
const KICKED_RUN_WAIT_MS = 2_000;

/** Owns the upload service's lifecycle: schema at start, the outbox relay and the periodic orphan GC while running. */
class UploadLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies,
    @Inject(UPLOAD_RELAY) private readonly relay: RelayRunner,
    @Inject(UPLOAD_ORPHAN_GC) private readonly orphanGc: OrphanGcSchedule,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const swept = await new UploadTempDirs(this.deps.tempDir).sweep();
    if (swept > 0) {
      new Logger('upload').log(`removed ${swept} upload temp directories left by a process that no longer runs`);
    }
    await this.deps.database.migrate(uploadMigrations);
    await this.deps.bus.ensureTopics([{ name: PACKAGE_EVENTS_TOPIC, partitions: 6 }]);
    await this.deps.accessProjection.start();
    this.relay.start();
    this.orphanGc.start();
    if (this.deps.faultPoint) {
      new Logger('upload').warn(`QUIVER_FAULT_POINT=${this.deps.faultPoint}: this process kills itself there (test only)`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.orphanGc.stop();
    await this.relay.stop();
    await this.deps.accessProjection.stop();
  }
}

/** The upload service: everything it serves, mounted by apps/upload and by the embedded registry. */
@Module({})
export class UploadServiceModule {
  static register(deps: UploadDependencies): DynamicModule {
    const logger = new Logger('upload-relay');
    const relay = RelayRunner.forOutbox(deps.database, deps.bus, { name: 'packages', topic: PACKAGE_EVENTS_TOPIC }, (message) => logger.warn(message));
    return {
      module: UploadServiceModule,
      controllers: [
        healthController('upload'),
        PublishFileController,
        ManageReleaseController,
        ProjectSettingsController,
        MaintenanceController,
        processedEventController(CONFIRMATION_PATHS.uploadAccess, (eventId, timeoutMs) => deps.accessProjection.waitFor(eventId, timeoutMs)),
      ],
      providers: [
        { provide: UPLOAD_DEPENDENCIES, useValue: { ...deps, awaitIndexed: relay.kickedThen(KICKED_RUN_WAIT_MS, deps.awaitIndexed) } satisfies UploadDependencies },
        { provide: ACCESS_CONTROL, useValue: deps.access },
        { provide: ACCESS_FACTS, useValue: deps.facts ?? null },
        { provide: UPLOAD_RELAY, useValue: relay },
        {
          provide: UPLOAD_ORPHAN_GC,
          useValue: new OrphanGcSchedule(new BlobMaintenance(deps.database, deps.blobs), deps.maintenance.gcIntervalSeconds, deps.maintenance.orphanGraceSeconds),
        },
        UploadLifecycle,
      ],
    };
  }
}
