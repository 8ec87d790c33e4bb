import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { BlobStoreUnavailableError } from '@quiver/shared-ports';
import { blobStoreContract, requireEnv, uniqueName } from '@quiver/shared-testing';
import { S3BlobStore } from './s3-blob-store.js';

const options = () => ({
  endpoint: requireEnv('QUIVER_TEST_S3_ENDPOINT'),
  accessKey: requireEnv('QUIVER_TEST_S3_ACCESS_KEY'),
  secretKey: requireEnv('QUIVER_TEST_S3_SECRET_KEY'),
  region: requireEnv('QUIVER_TEST_S3_REGION'),
  bucket: uniqueName('quiver'),
});

blobStoreContract('S3 server (minio client)', () => S3BlobStore.open(options()));

describe('S3BlobStore availability', () => {
  it('reports an unreachable endpoint as BlobStoreUnavailableError', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    await assert.rejects(S3BlobStore.open({ ...options(), endpoint: `http://127.0.0.1:${port}` }), BlobStoreUnavailableError);
  });
});
