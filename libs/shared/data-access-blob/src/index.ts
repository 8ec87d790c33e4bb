export { assertSafeKey, compareKeys, MAX_BLOB_KEY_BYTES, UnsafeBlobKeyError } from './blob-key.js';
export { BlobSizeMismatchError } from './body-stream.js';
export { FileSystemBlobStore, type FileSystemBlobStoreOptions } from './filesystem-blob-store.js';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
