export { assertSafeKey } from './blob-key.js';
export { FileSystemBlobStore } from './filesystem-blob-store.js';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
