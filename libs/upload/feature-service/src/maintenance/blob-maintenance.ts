import { createHash } from 'node:crypto';
import { BlobNotFoundError, type BlobStore, type Database, type StoredBlob } from '@quiver/shared-ports';
import { BLOB_PREFIXES } from '../publish-file/blob-keys.js';

export interface GcResult {
  readonly graceSeconds: number;
  /** Objects listed under the distribution and metadata prefixes. */
  readonly scanned: number;
  /** Listed objects left in place: referenced by a recorded file, or younger than the grace. */
  readonly kept: number;
  /** Keys this run deleted. */
  readonly removed: readonly string[];
}

export interface ReconcileFinding {
  readonly project: string;
  /** The distribution's filename; `<filename>.metadata` for its core-metadata sidecar (PEP 658). */
  readonly filename: string;
  readonly blobKey: string;
}

export interface ReconcileResult {
  /** Objects checked: every live file plus its metadata sidecar. */
  readonly checked: number;
  readonly missing: readonly ReconcileFinding[];
  readonly corrupt: readonly ReconcileFinding[];
}

interface LiveFileRow {
  position: string;
  project: string;
  filename: string;
  blob_key: string;
  size: string;
  sha256: string;
  metadata_key: string | null;
  metadata_size: string | null;
  metadata_sha256: string | null;
}

/** Unreferenced candidates are checked against the database this many at a time. */
const BATCH = 500;
const PAGE = 500;

/**
 * The upload service's blob maintenance. Blobs are written before the events that reference them
 * (docs/adr/0006), so a crash or an outage in between leaves an orphan: `collectOrphans` deletes
 * objects under the distribution and metadata prefixes that no recorded file references and that
 * are older than the grace. `reconcile` is the integrity scan: every live file's object (and its
 * sidecar) exists with the recorded size and sha256.
 *
 * Several replicas may collect at once: every decision is re-checked right before its delete, and
 * deleting twice is harmless.
 */
export class BlobMaintenance {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async collectOrphans(graceSeconds: number): Promise<GcResult> {
    const removed: string[] = [];
    let scanned = 0;
    let kept = 0;
    const cutoff = (): number => this.now().getTime() - graceSeconds * 1000;
    const sweep = async (candidates: readonly StoredBlob[]): Promise<void> => {
      const referenced = await this.referencedKeys(candidates.map((blob) => blob.key));
      for (const candidate of candidates) {
        if (referenced.has(candidate.key)) {
          kept += 1;
          continue;
        }
        // An upload may have written the same bytes again since the listing (content-addressed
        // keys): only an object still older than the grace, still unreferenced, goes.
        const current = await this.blobs.stat(candidate.key);
        if (!current) {
          continue; // already gone (another replica's run)
        }
        if (current.lastModified.getTime() > cutoff() || (await this.referencedKeys([candidate.key])).size > 0) {
          kept += 1;
          continue;
        }
        await this.blobs.delete(candidate.key);
        removed.push(candidate.key);
      }
    };
    for (const prefix of BLOB_PREFIXES) {
      let batch: StoredBlob[] = [];
      for await (const blob of this.blobs.list(prefix)) {
        scanned += 1;
        if (blob.lastModified.getTime() > cutoff()) {
          kept += 1;
          continue;
        }
        batch.push(blob);
        if (batch.length >= BATCH) {
          await sweep(batch);
          batch = [];
        }
      }
      await sweep(batch);
    }
    return { graceSeconds, scanned, kept, removed };
  }

  /** `onFinding` also gets what is wrong (`missing`, or the check that failed) for the alert. */
  async reconcile(onFinding: (kind: 'missing' | 'corrupt', finding: ReconcileFinding, problem: string) => void = () => undefined): Promise<ReconcileResult> {
    const missing: ReconcileFinding[] = [];
    const corrupt: ReconcileFinding[] = [];
    let checked = 0;
    const check = async (project: string, filename: string, blobKey: string, size: number, sha256: string): Promise<void> => {
      checked += 1;
      const problem = await this.verify(blobKey, size, sha256);
      if (problem !== undefined) {
        const finding = { project, filename, blobKey };
        const kind = problem === 'missing' ? 'missing' : 'corrupt';
        (kind === 'missing' ? missing : corrupt).push(finding);
        onFinding(kind, finding, problem);
      }
    };
    for await (const file of this.liveFiles()) {
      await check(file.project, file.filename, file.blob_key, Number(file.size), file.sha256);
      if (file.metadata_key !== null && file.metadata_size !== null && file.metadata_sha256 !== null) {
        await check(file.project, `${file.filename}.metadata`, file.metadata_key, Number(file.metadata_size), file.metadata_sha256);
      }
    }
    return { checked, missing, corrupt };
  }

  /** `undefined` when the object holds exactly the recorded bytes; otherwise what is wrong. */
  private async verify(key: string, size: number, sha256: string): Promise<string | undefined> {
    const found = await this.blobs.stat(key);
    if (!found) {
      return 'missing';
    }
    if (found.size !== size) {
      return `size ${found.size}, recorded ${size}`;
    }
    const hash = createHash('sha256');
    let read = 0;
    try {
      for await (const chunk of await this.blobs.read(key)) {
        hash.update(chunk);
        read += chunk.length;
      }
    } catch (error) {
      if (error instanceof BlobNotFoundError) {
        return 'missing';
      }
      throw error;
    }
    const actual = hash.digest('hex');
    if (read !== size) {
      return `read ${read} bytes, recorded ${size}`;
    }
    return actual === sha256 ? undefined : `sha256 ${actual}, recorded ${sha256}`;
  }

  /** Which of `keys` a recorded file (live or deleted) or its metadata sidecar names. */
  private async referencedKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) {
      return new Set();
    }
    const { rows } = await this.database.query<{ key: string }>(
      `SELECT data->>'blobKey' AS key FROM events
        WHERE type = 'ReleaseFilePublished' AND data->>'blobKey' = ANY($1::text[])
       UNION
       SELECT data->'coreMetadata'->>'blobKey' AS key FROM events
        WHERE type = 'ReleaseFilePublished' AND data->'coreMetadata'->>'blobKey' = ANY($1::text[])`,
      [keys],
    );
    return new Set(rows.map((row) => row.key));
  }

  /** Every published file not deleted since, in recording order, page by page. */
  private async *liveFiles(): AsyncIterable<LiveFileRow> {
    let after = '0';
    for (;;) {
      const { rows } = await this.database.query<LiveFileRow>(
        `SELECT p.position::text AS position, p.data->>'project' AS project, p.data->>'filename' AS filename,
                p.data->>'blobKey' AS blob_key, p.data->>'size' AS size, p.data->>'sha256' AS sha256,
                p.data->'coreMetadata'->>'blobKey' AS metadata_key, p.data->'coreMetadata'->>'size' AS metadata_size,
                p.data->'coreMetadata'->>'sha256' AS metadata_sha256
           FROM events p
          WHERE p.type = 'ReleaseFilePublished' AND p.position > $1::bigint
            AND NOT EXISTS (SELECT 1 FROM events d WHERE d.type = 'ReleaseFileDeleted' AND d.stream_id = p.stream_id AND d.data->>'filename' = p.data->>'filename')
          ORDER BY p.position LIMIT $2`,
        [after, PAGE],
      );
      yield* rows;
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) {
        return;
      }
      after = last.position;
    }
  }
}
