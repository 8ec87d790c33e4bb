import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { auditAppendTasks, AuditServiceModule, DirectFactBus } from '@quiver/audit-feature-service';
import { LdapDirectory } from '@quiver/auth-data-access-ldap';
import { AuthServiceModule, DatabaseTokenUseCounter, functionCatalog } from '@quiver/auth-feature-service';
import { IndexProjectionConsumer, IndexServiceModule, ProjectReadModel } from '@quiver/index-feature-service';
import { UploadServiceModule } from '@quiver/upload-feature-service';
import { FileSystemBlobStore } from '@quiver/shared-data-access-blob';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import { PgliteDatabase, PgliteWorkerDatabase } from '@quiver/shared-data-access-db';
import { nextReportRun, reportPeriodMs, type QuiverConfig } from '@quiver/shared-util-config';
import type { Composition } from '@quiver/shared-feature-runtime';
import { AccessControl, AccessFacts, FactJournal, factsOnUse, serviceAccess, TokenUseRecorder, type PasswordChecker } from '@quiver/shared-feature-access';
import { loadOrCreateAdminToken } from './admin-token.js';

const READ_YOUR_WRITES_TIMEOUT_MS = 10_000;

/**
 * All four services in one process on one port, on the embedded adapters: PGlite (one database
 * per service, as in production), files under the data directory, an in-process bus.
 */
@Module({})
export class EmbeddedModule {
  static async compose(config: QuiverConfig): Promise<Composition> {
    const logger = new Logger('embedded');
    await mkdir(join(config.dataDir, 'db'), { recursive: true, mode: 0o700 });
    const admin = await loadOrCreateAdminToken(config.dataDir);
    logger.log(`${admin.created ? 'Created the administrator token in' : 'Administrator token:'} ${admin.path}`);
    const sharedBuffersBytes = config.embedded.databaseBuffersBytes;
    const dbDir = (service: 'upload' | 'index' | 'auth' | 'audit'): string => join(config.dataDir, 'db', service);
    // A fresh data directory: one initdb for the four clusters, not four.
    await PgliteDatabase.initialiseClusters([dbDir('upload'), dbDir('index'), dbDir('auth'), dbDir('audit')]);
    const [uploadDb, indexDb, authDb, auditDb] = await Promise.all([
      PgliteDatabase.open({ dataDir: dbDir('upload'), sharedBuffersBytes }),
      PgliteDatabase.open({ dataDir: dbDir('index'), sharedBuffersBytes }),
      PgliteDatabase.open({ dataDir: dbDir('auth'), sharedBuffersBytes }),
      // Written on every request: its own thread, where the journal's lines are parsed, hashed and inserted (ADR 21).
      PgliteWorkerDatabase.open({ dataDir: dbDir('audit'), sharedBuffersBytes, tasks: auditAppendTasks }),
    ]);
    const blobs = new FileSystemBlobStore(join(config.dataDir, 'blobs'));
    const bus = new InProcessEventBus();
    const projection = new IndexProjectionConsumer(indexDb, bus);
    // The auth service checks directory passwords for index and upload too (once it is built, below).
    let signIn: PasswordChecker | undefined;
    const passwords: PasswordChecker = { check: (username, password, address) => (signIn ? signIn.check(username, password, address) : Promise.resolve({ ok: false, refusal: 'unavailable' })) };
    const directory = config.ldap ? new LdapDirectory(config.ldap) : undefined;
    // One count of limited tokens' uses for all three services: the auth service's.
    const accessOptions = {
      bootstrapAdminSha256: admin.sha256,
      cacheTtlMs: config.access.cacheTtlMs,
      useCounter: new DatabaseTokenUseCounter(authDb),
      ...(config.ldap ? { passwords } : {}),
      passwordCacheMs: config.directory.cacheSeconds * 1000,
      directoryGraceMs: config.directory.graceSeconds * 1000,
    };
    // One journal for the process (one file, one shipper): each fact names the service that answered.
    // It ships straight into the audit log (DirectFactBus), so its offset moves only once a fact is committed there.
    const journal = FactJournal.open({ directory: config.journalDir, bus: DirectFactBus.inWorker(auditDb, bus), onProblem: (message) => logger.warn(message) });
    const uploadAccess = serviceAccess('upload', uploadDb, bus, accessOptions, new AccessFacts('upload', journal));
    const indexAccess = serviceAccess('index', indexDb, bus, accessOptions, new AccessFacts('index', journal, { pageReadIntervalMs: config.index.pageReadsIntervalMs }));
    const auditAccess = serviceAccess('audit', auditDb, bus, accessOptions, new AccessFacts('audit', journal));
    const authFacts = new AccessFacts('auth', journal);
    const authTokenUses = new TokenUseRecorder('auth', bus);
    const schedule = config.reports.schedule;
    const reportSchedule = schedule.every === 'off' ? undefined : { next: (after: Date) => nextReportRun(schedule, after), periodMs: reportPeriodMs(schedule) };
    const tempDir = config.upload.tempDir ?? join(tmpdir(), 'quiver-uploads');
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const module: DynamicModule = {
      module: EmbeddedModule,
      imports: [
        IndexServiceModule.register({ database: indexDb, blobs, bus, ...indexAccess, soleProjection: true, fileCacheBytes: config.index.fileCacheBytes, pageCacheBytes: config.index.pageCacheBytes }, projection),
        UploadServiceModule.register({
          database: uploadDb,
          blobs,
          bus,
          ...uploadAccess,
          awaitIndexed: (eventId) => projection.waitFor(eventId, READ_YOUR_WRITES_TIMEOUT_MS),
          limits: {
            maxFileBytes: config.upload.maxFileBytes,
            projectQuotaBytes: config.upload.projectQuotaBytes,
            newProjectsPerHour: config.upload.newProjectsPerHour,
            disallowNewProjects: config.upload.disallowNewProjects,
            prohibitedProjectNames: config.upload.prohibitedProjectNames,
          },
          tempDir,
          maintenance: config.maintenance,
          ...(config.docsUrl ? { docsUrl: config.docsUrl } : {}),
          ...(config.faultPoint ? { faultPoint: config.faultPoint } : {}),
        }),
        AuthServiceModule.register({
          database: authDb,
          bus,
          access: new AccessControl(authDb, { ...accessOptions, onUse: factsOnUse(authFacts, (use) => authTokenUses.record(use)) }),
          tokenUses: authTokenUses,
          facts: authFacts,
          ...(directory ? { directory, directoryCacheMs: config.directory.cacheSeconds * 1000 } : {}),
          onPasswordChecker: (checker) => (signIn = checker),
          projects: functionCatalog(async () => (await new ProjectReadModel(indexDb).listProjects()).map((project) => project.name)),
          ...(reportSchedule ? { reviewSchedule: { ...reportSchedule, unusedDays: config.reports.reviewUnusedDays } } : {}),
          awaitApplied: async (eventId) => {
            await Promise.all(
              [uploadAccess, indexAccess, auditAccess].map((service) => service.accessProjection.waitFor(eventId, READ_YOUR_WRITES_TIMEOUT_MS)),
            );
          },
        }),
        AuditServiceModule.register({
          database: auditDb,
          bus,
          ...auditAccess,
          ...(config.audit.retentionDays === undefined ? {} : { retentionDays: config.audit.retentionDays }),
          ...(reportSchedule ? { reportSchedule } : {}),
          // No public stream: an in-process bus has no outside consumers (docs/operations/audit.md).
          publicStream: false,
        }),
      ],
    };
    return {
      module,
      close: async () => {
        await journal.stop(); // what is journaled is published before the bus closes
        await bus.close();
        await directory?.close();
        await Promise.all([uploadDb.close(), indexDb.close(), authDb.close(), auditDb.close()]);
      },
    };
  }
}
