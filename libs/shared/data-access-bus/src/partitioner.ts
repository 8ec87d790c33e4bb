const encoder = new TextEncoder();

/**
 * The partition for a key: FNV-1a (32 bit) over the key's UTF-8 bytes, modulo the partition count.
 * Stable across processes and restarts, so every message with one key lands on one partition.
 */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
