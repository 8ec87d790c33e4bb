import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OutboxRelay, RelayRunner } from '@quiver/shared-data-access-event-store';
import { PACKAGE_EVENTS_TOPIC } from '@quiver/shared-contracts-packages';
import { healthController } from '@quiver/shared-feature-runtime';
import { BlobMaintenance } from './maintenance/blob-maintenance.js';
import { MaintenanceController } from './maintenance/maintenance.controller.js';
import { OrphanGcSchedule } from './maintenance/orphan-gc-schedule.js';
import { ManageReleaseController } from './manage-release/manage-release.controller.js';
import { ProjectSettingsController } from './project-settings/project-settings.controller.js';
import { PublishFileController } from './publish-file/publish-file.controller.js';
import { uploadMigrations } from './publish-file/upload.migrations.js';
import { UPLOAD_DEPENDENCIES, type UploadDependencies } from './upload.ports.js';

export const UPLOAD_RELAY = Symbol('UPLOAD_RELAY');
export const UPLOAD_ORPHAN_GC = Symbol('UPLOAD_ORPHAN_GC');

/** How long an answer waits for the relay run its upload kicked, before it asks the index. */
const KICKED_RUN_WAIT_MS = 2_000;

/**
 * Kicks the relay and waits for that run, within a bound: usually it has published within
 * milliseconds and the index then confirms at once, but with the bus down a run can take minutes,
 * and the answer must not wait for Kafka (F1: the front door would answer 504).
 */
async function kickedRun(relay: RelayRunner): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([relay.kick(), new Promise<void>((resolve) => (timer = setTimeout(resolve, KICKED_RUN_WAIT_MS)))]);
  clearTimeout(timer);
}

/** Owns the upload service's lifecycle: schema at start, the outbox relay and the periodic orphan GC while running. */
class UploadLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(UPLOAD_DEPENDENCIES) private readonly deps: UploadDependencies,
    @Inject(UPLOAD_RELAY) private readonly relay: RelayRunner,
    @Inject(UPLOAD_ORPHAN_GC) private readonly orphanGc: OrphanGcSchedule,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.deps.database.migrate(uploadMigrations);
    await this.deps.bus.ensureTopics([{ name: PACKAGE_EVENTS_TOPIC, partitions: 6 }]);
    this.relay.start();
    this.orphanGc.start();
    if (this.deps.faultPoint) {
      new Logger('upload').warn(`QUIVER_FAULT_POINT=${this.deps.faultPoint}: this process kills itself there (test only)`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.orphanGc.stop();
    await this.relay.stop();
  }
}

/** The upload service: everything it serves, mounted by apps/upload and by the embedded registry. */
@Module({})
export class UploadServiceModule {
  static register(deps: UploadDependencies): DynamicModule {
    const logger = new Logger('upload-relay');
    const relay = new RelayRunner(new OutboxRelay(deps.database, deps.bus, { name: 'packages', topic: PACKAGE_EVENTS_TOPIC }), {
      intervalMs: 1000,
      onError: (error) => logger.warn(`relay will retry: ${error instanceof Error ? error.message : String(error)}`),
    });
    return {
      module: UploadServiceModule,
      controllers: [healthController('upload'), PublishFileController, ManageReleaseController, ProjectSettingsController, MaintenanceController],
      providers: [
        { provide: UPLOAD_DEPENDENCIES, useValue: { ...deps, awaitIndexed: async (eventId: string) => {
          await kickedRun(relay);
          await deps.awaitIndexed(eventId);
        } } satisfies UploadDependencies },
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
