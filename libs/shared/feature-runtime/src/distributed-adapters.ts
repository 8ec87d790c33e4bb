import { Logger } from '@nestjs/common';
import { S3BlobStore } from '@quiver/shared-data-access-blob';
import { KafkaEventBus } from '@quiver/shared-data-access-bus';
import { PgDatabase } from '@quiver/shared-data-access-db';
import type { QuiverConfig } from '@quiver/shared-util-config';
import type { BlobStore, Database, EventBus } from '@quiver/shared-ports';

export interface DistributedAdapters {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  close(): Promise<void>;
}

/**
 * The production adapters for one service: its own Postgres schema (`quiver_<service>`), the
 * shared bucket and Kafka.
 */
export async function openDistributedAdapters(service: string, config: QuiverConfig): Promise<DistributedAdapters> {
  const { url } = config.database;
  const { endpoint, accessKey, secretKey } = config.s3;
  if (!url || !endpoint || !accessKey || !secretKey) {
    throw new Error('distributed mode needs QUIVER_DATABASE_URL and the QUIVER_S3_* settings');
  }
  const schema = `quiver_${service}`;
  const bootstrap = new PgDatabase({ connectionString: url, maxConnections: 1 });
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    // Replicas starting together race on IF NOT EXISTS; the loser sees a unique violation.
    if ((error as { code?: unknown }).code !== '23505' && (error as { code?: unknown }).code !== '42P06') {
      throw error;
    }
  } finally {
    await bootstrap.close();
  }
  const database = new PgDatabase({ connectionString: url, schema, applicationName: `quiver-${service}` });
  const blobs = await S3BlobStore.open({ endpoint, accessKey, secretKey, region: config.s3.region, bucket: config.s3.bucket });
  const bus = new KafkaEventBus({ brokers: config.kafka.brokers, clientId: config.kafka.clientId });
  if (!config.adminTokenSha256) {
    new Logger(service).warn('QUIVER_ADMIN_TOKEN_SHA256 is not set: only tokens the auth service issued are accepted');
  }
  return {
    database,
    blobs,
    bus,
    close: async () => {
      await bus.close();
      await database.close();
    },
  };
}
