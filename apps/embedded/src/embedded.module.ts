import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { AuditServiceModule } from '@quiver/audit-feature-service';
import { AuthServiceModule } from '@quiver/auth-feature-service';
import { IndexProjectionConsumer, IndexServiceModule } from '@quiver/index-feature-service';
import { UploadServiceModule } from '@quiver/upload-feature-service';
import { FileSystemBlobStore } from '@quiver/shared-data-access-blob';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import { PgliteDatabase } from '@quiver/shared-data-access-db';
import type { QuiverConfig } from '@quiver/shared-util-config';
import type { Composition } from '@quiver/shared-feature-runtime';
import { cachedVerifier, tokenVerifier } from '@quiver/shared-util-tokens';
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
    // The fixed set cannot change while the process runs, so caching verifications changes nothing but speed.
    const authenticate = cachedVerifier(tokenVerifier(new Map([[admin.sha256, 'admin']])), { ttlMs: 60_000 });
    const [uploadDb, indexDb] = await Promise.all([
      PgliteDatabase.open({ dataDir: join(config.dataDir, 'db', 'upload') }),
      PgliteDatabase.open({ dataDir: join(config.dataDir, 'db', 'index') }),
    ]);
    const blobs = new FileSystemBlobStore(join(config.dataDir, 'blobs'));
    const bus = new InProcessEventBus();
    const projection = new IndexProjectionConsumer(indexDb, bus);
    const tempDir = config.upload.tempDir ?? join(tmpdir(), 'quiver-uploads');
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const module: DynamicModule = {
      module: EmbeddedModule,
      imports: [
        IndexServiceModule.register({ database: indexDb, blobs, bus, authenticate, soleProjection: true, fileCacheBytes: config.index.fileCacheBytes, pageCacheBytes: config.index.pageCacheBytes }, projection),
        UploadServiceModule.register({
          database: uploadDb,
          blobs,
          bus,
          authenticate,
          awaitIndexed: (eventId) => projection.waitFor(eventId, READ_YOUR_WRITES_TIMEOUT_MS),
          limits: {
            maxFileBytes: config.upload.maxFileBytes,
            projectQuotaBytes: config.upload.projectQuotaBytes,
            newProjectsPerHour: config.upload.newProjectsPerHour,
            prohibitedProjectNames: config.upload.prohibitedProjectNames,
          },
          tempDir,
          maintenance: config.maintenance,
          ...(config.faultPoint ? { faultPoint: config.faultPoint } : {}),
        }),
        AuthServiceModule,
        AuditServiceModule,
      ],
    };
    return {
      module,
      close: async () => {
        await bus.close();
        await Promise.all([uploadDb.close(), indexDb.close()]);
      },
    };
  }
}
