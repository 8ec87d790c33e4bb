/** Content-addressed object keys: the bytes decide the key, so a key never points at other bytes. */
export const distributionKey = (sha256: string): string => `files/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

export const coreMetadataKey = (sha256: string): string => `metadata/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

/** Every prefix content-addressed blobs live under (what the orphan GC scans). */
export const BLOB_PREFIXES = ['files/', 'metadata/'] as const;
