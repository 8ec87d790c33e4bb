import { timingSafeEqual, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { inspectDistribution, type InspectionResult } from '@quiver/upload-data-access-archive';
import { EventStore, StreamConcurrencyError } from '@quiver/shared-data-access-event-store';
import { projectStreamId } from '@quiver/shared-contracts-packages';
import {
  confusableKey,
  decide,
  isValidProjectName,
  filenameMismatch,
  foldProject,
  importedFiletype,
  importFields,
  parseUploadTime,
  formatVersion,
  normalizeProjectName,
  parseDistributionFilename,
  projectFileTooLarge,
  prohibitedNameSet,
  reject,
  unsupportedPlatformTag,
  validateUploadForm,
  type PublishReleaseFile,
  type UploadRejection,
} from '@quiver/upload-domain';
import type { Caller } from '@quiver/shared-domain-access';
import type { UploadDependencies } from '../upload.ports.js';
import { forbidden } from '../http/upload-auth.js';
import { coreMetadataKey, distributionKey } from './blob-keys.js';
import { crashIfFaultPoint } from './fault-point.js';
import { NewProjectLimiter } from './new-project-limiter.js';
import { registryFileLimit, type FileLimit, type ReceivedFile, type ReceivedUpload } from './received-upload.js';

interface NewProjectSlot {
  id?: string;
}

export type PublishOutcome =
  | { readonly kind: 'published'; readonly position: string; readonly eventId: string }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rejected'; readonly rejection: UploadRejection };

export interface PublishOptions {
  readonly uploadedAt?: Date;
  readonly inspected?: InspectionResult;
}

/** Concurrent uploads to one project (a CI matrix publishing wheels) retry on the new stream state. */
const MAX_ATTEMPTS = 20;

const sameHex = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The publish use case: validate, store the blob, then record the events. Only a `published` outcome changed anything. */
export class PublishFileHandler {
  private readonly store: EventStore;
  private readonly limiter: NewProjectLimiter;
  private readonly prohibitedNames: ReadonlySet<string>;

  constructor(
    private readonly deps: UploadDependencies,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.store = new EventStore(deps.database);
    this.limiter = new NewProjectLimiter(deps.database, deps.limits.newProjectsPerHour);
    this.prohibitedNames = prohibitedNameSet(deps.limits.prohibitedProjectNames);
  }

  /**
   * `options.uploadedAt`: the upload time to record instead of now (an import keeps the source's);
   * `options.inspected`: the file's inspection when the caller already made it (an import reads the
   * form from it).
   */
  async handle(upload: ReceivedUpload, caller: Caller, requestId: string, options: PublishOptions = {}): Promise<PublishOutcome> {
    const rejected = (rejection: UploadRejection): PublishOutcome => ({ kind: 'rejected', rejection });
    const form = validateUploadForm(upload.fields);
    if (!form.ok) {
      return rejected(form.rejection);
    }
    // Before anything about the file or the project's files is looked at: no duplicate or hash
    // information for a caller who may not publish here (BAD-INPUT 45).
    const denied = forbidden(caller, 'package:publish', normalizeProjectName(form.value.name));
    if (denied) {
      return rejected(denied);
    }
    const file = upload.file;
    if (!file) {
      return rejected(reject('missing-file', 'Upload payload does not have a file.'));
    }
    const parsed = parseDistributionFilename(file.filename, form.value.filetype);
    if (!parsed.ok) {
      return rejected(reject('invalid-filename', parsed.message));
    }
    const mismatch = filenameMismatch(parsed.value, file.filename, form.value.name, form.value.version);
    if (mismatch) {
      return rejected(reject('invalid-filename', mismatch));
    }
    const platformProblem = parsed.value.kind === 'bdist_wheel' ? unsupportedPlatformTag(parsed.value, file.filename) : undefined;
    if (platformProblem) {
      return rejected(reject('unsupported-platform', platformProblem));
    }
    const digestProblem = this.checkDigests(form.value.digests, file);
    if (digestProblem) {
      return rejected(digestProblem);
    }
    const inspected = options.inspected ?? (await inspectDistribution(file.path, parsed.value, { filename: file.filename }));
    if (!inspected.ok) {
      return rejected(inspected.rejection);
    }

    const project = normalizeProjectName(form.value.name);
    const version = formatVersion(form.value.version);
    const metadataBytes = parsed.value.kind === 'bdist_wheel' ? inspected.value.coreMetadata : undefined;
    const metadataSha = metadataBytes ? createHash('sha256').update(metadataBytes).digest('hex') : undefined;
    const now = this.now();
    const uploadedAt = options.uploadedAt ?? now;
    const command = {
      type: 'PublishReleaseFile' as const,
      displayName: form.value.name,
      policy: {
        projectQuotaBytes: this.deps.limits.projectQuotaBytes,
        prohibitedNames: this.prohibitedNames,
        now,
        ...(this.deps.limits.disallowNewProjects === true ? { newProjectsDisallowed: true } : {}),
        ...(this.deps.docsUrl === undefined ? {} : { docsUrl: this.deps.docsUrl }),
      },
      file: {
        project,
        version,
        filename: file.filename,
        packagetype: form.value.filetype,
        pythonVersion: form.value.pyversion,
        size: file.size,
        sha256: file.sha256,
        blake2_256: file.blake2_256,
        blobKey: distributionKey(file.sha256),
        requiresPython: form.value.requiresPython ?? inspected.value.metadata.requiresPython ?? null,
        summary: form.value.summary ?? null,
        coreMetadata: metadataBytes && metadataSha ? { sha256: metadataSha, size: metadataBytes.length, blobKey: coreMetadataKey(metadataSha) } : null,
        uploadedAt: uploadedAt.toISOString(),
      },
    };

    // A slot of the new-project rate limit, held while this upload may still create the project;
    // released unless the project was created. An administrator on '*' (and so an import) is not limited.
    const slot: NewProjectSlot = {};
    const limited = forbidden(caller, 'admin:*') !== undefined;
    try {
      return await this.decideAndAppend(command, file, metadataBytes, metadataSha, { actor: caller.name, requestId }, slot, limited);
    } finally {
      if (slot.id !== undefined) {
        await this.limiter.release(slot.id);
      }
    }
  }

  /**
   * `POST /api/packages/-/import` (`quiver import`, an administrator on '*'): a file without a
   * metadata form. The form is read from the file's core metadata, so the file passes the rules a
   * twine upload of it would; `upload_time` (PEP 700's, from the source) is recorded instead of now.
   */
  async handleImport(upload: ReceivedUpload, caller: Caller, requestId: string): Promise<PublishOutcome> {
    const rejected = (rejection: UploadRejection): PublishOutcome => ({ kind: 'rejected', rejection });
    const denied = forbidden(caller, 'admin:*');
    if (denied) {
      return rejected(denied);
    }
    const file = upload.file;
    if (!file) {
      return rejected(reject('missing-file', 'Upload payload does not have a file.'));
    }
    const uploadTime = parseUploadTime(upload.fields.get('upload_time')?.[0], this.now());
    if (!uploadTime.ok) {
      return rejected(uploadTime.rejection);
    }
    const filetype = importedFiletype(file.filename);
    const parsed = parseDistributionFilename(file.filename, filetype);
    if (!parsed.ok) {
      return rejected(reject('invalid-filename', parsed.message));
    }
    const inspected = await inspectDistribution(file.path, parsed.value, { filename: file.filename });
    if (!inspected.ok) {
      return rejected(inspected.rejection);
    }
    const pythonTags = parsed.value.kind === 'bdist_wheel' ? parsed.value.pythonTags : [];
    const form = importFields(inspected.value.metadata, { filetype, pythonTags, sha256: file.sha256 }, upload.fields);
    if (!form.ok) {
      return rejected(form.rejection);
    }
    const fromMetadata: ReceivedUpload = { fields: form.fields, file, discard: () => upload.discard() };
    return this.handle(fromMetadata, caller, requestId, { inspected, ...(uploadTime.value === undefined ? {} : { uploadedAt: uploadTime.value }) });
  }

  private async decideAndAppend(
    command: PublishReleaseFile,
    file: ReceivedFile,
    metadataBytes: Uint8Array | undefined,
    metadataSha: string | undefined,
    metadata: { actor: string; requestId: string },
    slot: NewProjectSlot,
    limited: boolean,
  ): Promise<PublishOutcome> {
    const rejected = (rejection: UploadRejection): PublishOutcome => ({ kind: 'rejected', rejection });
    const { project } = command.file;
    for (let attempt = 1; ; attempt += 1) {
      const stream = await this.store.readStream(projectStreamId(project));
      const state = foldProject(stream.events);
      // A new project's name must not be confusable with an existing one's (its files' registry rows name it).
      const confusableWith = state.exists ? undefined : await this.confusableProject(project);
      const decision = decide(confusableWith === undefined ? command : { ...command, policy: { ...command.policy, confusableWith } }, state);
      if (decision.kind === 'rejected') {
        return rejected(decision.rejection);
      }
      if (decision.kind === 'unchanged') {
        return { kind: 'unchanged' };
      }
      const creates = decision.events.some((event) => event.type === 'ProjectCreated');
      if (creates && limited && this.limiter.enabled) {
        slot.id ??= await this.limiter.reserve(metadata.actor, project);
        if (slot.id === undefined) {
          return rejected(reject('too-many-new-projects', 'Too many new projects created'));
        }
      }
      // Blob first (verified), events second: a crash in between leaves an orphan blob, never a dangling event.
      await this.deps.blobs.put(command.file.blobKey, createReadStream(file.path), { size: file.size, sha256: file.sha256 });
      if (metadataBytes && metadataSha) {
        await this.deps.blobs.put(coreMetadataKey(metadataSha), metadataBytes, { size: metadataBytes.length, sha256: metadataSha });
      }
      crashIfFaultPoint(this.deps.faultPoint, 'after_blob_put');
      try {
        const appended = await this.store.append(projectStreamId(project), stream.version, decision.events, metadata, async (tx) => {
          await tx.query('INSERT INTO file_registry (filename, project, sha256, blake2_256) VALUES ($1, $2, $3, $4)', [
            file.filename,
            project,
            file.sha256,
            file.blake2_256,
          ]);
        });
        crashIfFaultPoint(this.deps.faultPoint, 'after_db_commit_before_response');
        if (creates) {
          delete slot.id; // the project exists now: its slot stays taken
        }
        return { kind: 'published', position: appended.lastPosition, eventId: appended.events.at(-1)?.eventId ?? '' };
      } catch (error) {
        if (error instanceof StreamConcurrencyError && attempt < MAX_ATTEMPTS) {
          continue; // someone else appended: decide again on the new state
        }
        if ((error as { code?: unknown }).code === '23505' && attempt < MAX_ATTEMPTS) {
          continue; // the filename registry row appeared concurrently: the next decision sees it
        }
        throw error;
      }
    }
  }

  /**
   * The largest file an upload to the project `name` names may carry: its own limit (a setting on its
   * stream, read with one indexed query, not the whole stream), or the registry's.
   */
  async fileLimit(name: string | undefined): Promise<FileLimit> {
    const registry = registryFileLimit(this.deps.limits.maxFileBytes);
    if (name === undefined || !isValidProjectName(name)) {
      return registry;
    }
    const project = normalizeProjectName(name);
    const { rows } = await this.deps.database.query<{ upload_limit: unknown }>(
      `SELECT data->'uploadLimitBytes' AS upload_limit FROM events WHERE stream_id = $1 AND type = 'ProjectSettingsChanged' ORDER BY stream_version DESC LIMIT 1`,
      [projectStreamId(project)],
    );
    const limit = rows[0]?.upload_limit;
    return typeof limit === 'number' ? { bytes: limit, message: projectFileTooLarge(project, limit) } : registry;
  }

  /** An existing project whose name is confusable with `project`'s (`confusableKey`), through the file registry's index on that key. */
  private async confusableProject(project: string): Promise<string | undefined> {
    const { rows } = await this.deps.database.query<{ project: string }>(
      `SELECT project FROM file_registry WHERE translate(project, 'lio-_.', '110') = $1 AND project <> $2 LIMIT 1`,
      [confusableKey(project), project],
    );
    return rows[0]?.project;
  }

  private checkDigests(given: { sha256?: string; blake2_256?: string; md5?: string }, file: ReceivedFile): UploadRejection | undefined {
    const pairs: [string | undefined, string][] = [
      [given.sha256, file.sha256],
      [given.blake2_256, file.blake2_256],
      [given.md5, file.md5],
    ];
    const mismatch = pairs.some(([supplied, actual]) => supplied !== undefined && !sameHex(supplied, actual));
    return mismatch ? reject('digest-mismatch', 'The digest supplied does not match a digest calculated from the uploaded file.') : undefined;
  }
}
