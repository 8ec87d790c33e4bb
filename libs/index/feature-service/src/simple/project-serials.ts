import { Inject, Injectable } from '@nestjs/common';
import { INDEX_DEPENDENCIES, type IndexDependencies } from '../index.ports.js';
import { INDEX_PROJECTION_TOKEN } from '../index.tokens.js';
import type { IndexProjectionConsumer } from '../projection/projection.consumer.js';
import { ProjectReadModel } from './project.read-model.js';
import { SerialBatch } from './serial-batch.js';

/** A project's serial as the sole projection keeps it, updated in place (embedded mode only). */
export type LiveSerial = { readonly serial: number };

/**
 * A project's current serial, which every package event bumps: what the page and file caches are
 * validated against. Embedded mode has the only projection in this process, so its in-memory serial
 * is exact. A replica of distributed mode asks the database (batched per event-loop turn), because
 * another replica may have projected an event a moment ago and read-your-writes must hold on all.
 */
@Injectable()
export class ProjectSerials {
  private readonly batch: SerialBatch;

  constructor(
    @Inject(INDEX_DEPENDENCIES) private readonly deps: IndexDependencies,
    @Inject(INDEX_PROJECTION_TOKEN) private readonly projection: IndexProjectionConsumer,
  ) {
    const readModel = new ProjectReadModel(deps.database);
    this.batch = new SerialBatch((names) => readModel.projectSerials(names));
  }

  /** `undefined` for a project the read model does not have. */
  current(project: string): number | undefined | Promise<number | undefined> {
    return this.deps.soleProjection ? this.projection.serialOf(project) : this.batch.serialOf(project);
  }

  /**
   * In embedded mode, the project's live serial, to keep with something read at a serial: it is
   * then checked against the current serial without another lookup (`isCurrent`). Take it before
   * reading, so a change during the read shows. `undefined` in distributed mode.
   */
  live(project: string): LiveSerial | undefined {
    return this.deps.soleProjection ? this.projection.liveSerial(project) : undefined;
  }

  /** Whether something read at `serial` (with `live` taken before the read) is still current. */
  isCurrent(project: string, serial: number, live: LiveSerial | undefined): boolean | Promise<boolean> {
    if (live) {
      return live.serial <= serial;
    }
    const current = this.current(project);
    return typeof current === 'object' ? current.then((now) => now !== undefined && now <= serial) : current !== undefined && current <= serial;
  }
}
