/**
 * The project stream's decider: given the events so far and a command, which new events (if any).
 * Pure: time comes in with the command, storage and ids are the caller's business.
 */
import type { PackageEvent, ReleaseFilePublished } from '@quiver/shared-contracts-packages';
import { formatDuration } from '@quiver/shared-domain-access';
import { confusableNameProblem, newProjectNameProblem } from './project-name-policy.js';
import { publishingHelp } from './publishing-help.js';
import { reject, type UploadRejection } from './upload-rejection.js';

export interface FileState {
  readonly version: string;
  readonly sha256: string;
  readonly blake2_256: string;
  readonly packagetype: 'bdist_wheel' | 'sdist';
  readonly size: number;
  readonly deleted: boolean;
}

export interface ReleaseState {
  readonly yankedReason?: string;
  readonly liveFiles: number;
  /** When its first file was published (ISO 8601): the release's age for the closed-release rule. */
  readonly createdAt: string;
}

export interface ProjectSettings {
  readonly closeReleasesAfterSeconds: number | null;
  /** Its files cannot be deleted unless an administrator on `*` forces it (devpi's non-volatile indexes; BAD-INPUT 68). */
  readonly nonVolatile: boolean;
  /** The largest file it takes, in bytes, instead of the registry's `QUIVER_MAX_UPLOAD_BYTES`; at most `MAX_UPLOAD_LIMIT_BYTES` (BAD-INPUT 65). */
  readonly uploadLimitBytes: number | null;
}

/** No file may be larger than 1 GiB, whatever a project's or the registry's limit says. */
export const MAX_UPLOAD_LIMIT_BYTES = 1024 * 1024 * 1024;

export interface ProjectState {
  readonly exists: boolean;
  readonly files: ReadonlyMap<string, FileState>;
  readonly releases: ReadonlyMap<string, ReleaseState>;
  /** Bytes of the files not deleted: what the project quota counts. */
  readonly totalSize: number;
  readonly settings: ProjectSettings;
}

export const defaultProjectSettings: ProjectSettings = { closeReleasesAfterSeconds: null, nonVolatile: false, uploadLimitBytes: null };

export const initialProjectState: ProjectState = { exists: false, files: new Map(), releases: new Map(), totalSize: 0, settings: defaultProjectSettings };

/** The registry-wide rules an upload is decided under (from settings), and the time it is decided at. */
export interface UploadPolicy {
  /** Largest total size of a project's live files, in bytes. */
  readonly projectQuotaBytes: number;
  /** Normalised names a new project may not take, besides the standard-library ones. */
  readonly prohibitedNames: ReadonlySet<string>;
  readonly now: Date;
  /** `QUIVER_DOCS_URL`: where this deployment publishes Quiver's `docs/` directory, for links in messages. */
  readonly docsUrl?: string;
  /** `QUIVER_DISALLOW_NEW_PROJECTS`: no upload may create a project (BAD-INPUT 64); uploads to existing ones go on. */
  readonly newProjectsDisallowed?: boolean;
  /**
   * An existing project whose name a new one would be confusable with (`confusableKey`), found by
   * the caller before deciding; the new project is refused with its name.
   */
  readonly confusableWith?: string;
}

export interface PublishReleaseFile {
  readonly type: 'PublishReleaseFile';
  readonly displayName: string;
  readonly file: ReleaseFilePublished['data'];
  readonly policy: UploadPolicy;
}

export interface ChangeProjectSettings {
  readonly type: 'ChangeProjectSettings';
  readonly project: string;
  /** The settings that change; the others keep their values. */
  readonly settings: Partial<ProjectSettings>;
}

export interface YankRelease {
  readonly type: 'YankRelease';
  readonly project: string;
  readonly version: string;
  readonly reason: string;
}

export interface UnyankRelease {
  readonly type: 'UnyankRelease';
  readonly project: string;
  readonly version: string;
}

export interface DeleteReleaseFile {
  readonly type: 'DeleteReleaseFile';
  readonly project: string;
  readonly filename: string;
  /** Delete from a non-volatile project too (only an administrator on `*` may ask; the caller checks). */
  readonly force?: boolean;
}

export type ProjectCommand = PublishReleaseFile | YankRelease | UnyankRelease | DeleteReleaseFile | ChangeProjectSettings;

export type Decision =
  | { readonly kind: 'events'; readonly events: readonly PackageEvent[] }
  /** Nothing to record: the state already is what the command asks for (identical re-upload). */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rejected'; readonly rejection: UploadRejection };

const ONE_MB = 1024 * 1024;
const ONE_GB = 1024 * ONE_MB;

/** `10 GB` for whole GiB as PyPI says it, else MB, else bytes (small test quotas stay exact). */
const quotaText = (bytes: number): string =>
  bytes % ONE_GB === 0 ? `${bytes / ONE_GB} GB` : bytes % ONE_MB === 0 ? `${bytes / ONE_MB} MB` : `${bytes} bytes`;

/** The refusal of a file over a project's own upload limit. */
export const projectFileTooLarge = (project: string, limitBytes: number): string => `File too large. Limit for project '${project}' is ${quotaText(limitBytes)}.`;

export function decide(command: ProjectCommand, state: ProjectState): Decision {
  switch (command.type) {
    case 'PublishReleaseFile':
      return decidePublish(command, state);
    case 'YankRelease':
    case 'UnyankRelease': {
      const release = state.releases.get(command.version);
      if (!release || release.liveFiles === 0) {
        return { kind: 'rejected', rejection: reject('not-found', `Project '${command.project}' has no release '${command.version}'.`) };
      }
      if (command.type === 'YankRelease') {
        return release.yankedReason === command.reason
          ? { kind: 'unchanged' }
          : { kind: 'events', events: [{ type: 'ReleaseYanked', schemaVersion: 1, data: { project: command.project, version: command.version, reason: command.reason } }] };
      }
      return release.yankedReason === undefined
        ? { kind: 'unchanged' }
        : { kind: 'events', events: [{ type: 'ReleaseUnyanked', schemaVersion: 1, data: { project: command.project, version: command.version } }] };
    }
    case 'ChangeProjectSettings': {
      if (!state.exists) {
        return { kind: 'rejected', rejection: reject('not-found', `There is no project '${command.project}'.`) };
      }
      const { closeReleasesAfterSeconds, nonVolatile, uploadLimitBytes } = { ...state.settings, ...command.settings };
      if (uploadLimitBytes !== null && (!Number.isInteger(uploadLimitBytes) || uploadLimitBytes < 1 || uploadLimitBytes > MAX_UPLOAD_LIMIT_BYTES)) {
        return { kind: 'rejected', rejection: reject('invalid-metadata', `A project's upload limit is a whole number of bytes from 1 to ${MAX_UPLOAD_LIMIT_BYTES} (1 GiB).`) };
      }
      const same = state.settings.closeReleasesAfterSeconds === closeReleasesAfterSeconds && state.settings.nonVolatile === nonVolatile && state.settings.uploadLimitBytes === uploadLimitBytes;
      return same
        ? { kind: 'unchanged' }
        : { kind: 'events', events: [{ type: 'ProjectSettingsChanged', schemaVersion: 1, data: { project: command.project, closeReleasesAfterSeconds, nonVolatile, uploadLimitBytes } }] };
    }
    case 'DeleteReleaseFile': {
      const file = state.files.get(command.filename);
      if (!file || file.deleted) {
        return { kind: 'rejected', rejection: reject('not-found', `Project '${command.project}' has no file '${command.filename}'.`) };
      }
      if (state.settings.nonVolatile && command.force !== true) {
        return {
          kind: 'rejected',
          rejection: reject('non-volatile', `Project '${command.project}' is non-volatile: its files cannot be deleted. An administrator on '*' can force it (quiver delete --force).`),
        };
      }
      return {
        kind: 'events',
        events: [{ type: 'ReleaseFileDeleted', schemaVersion: 1, data: { project: command.project, version: file.version, filename: command.filename } }],
      };
    }
  }
}

function decidePublish(command: PublishReleaseFile, state: ProjectState): Decision {
  const { file, policy } = command;
  if (!state.exists) {
    if (policy.newProjectsDisallowed === true) {
      return { kind: 'rejected', rejection: reject('new-projects-disallowed', `New project registration temporarily disabled. ${publishingHelp('new-projects', policy.docsUrl)}`) };
    }
    const nameProblem = newProjectNameProblem(command.displayName, policy.prohibitedNames);
    if (nameProblem) {
      return { kind: 'rejected', rejection: reject('prohibited-name', nameProblem) };
    }
    if (policy.confusableWith !== undefined) {
      return { kind: 'rejected', rejection: reject('confusable-name', confusableNameProblem(command.displayName, policy.confusableWith)) };
    }
  }
  const existing = state.files.get(file.filename);
  if (existing?.deleted) {
    return {
      kind: 'rejected',
      rejection: reject(
        'filename-reused',
        `This filename was previously used by a file that has since been deleted. Use a different version. ${publishingHelp('file-name-reuse', policy.docsUrl)}`,
      ),
    };
  }
  if (existing) {
    return existing.sha256 === file.sha256
      ? { kind: 'unchanged' }
      : {
          kind: 'rejected',
          // Begins "File already exists": `twine upload --skip-existing` looks for those words.
          rejection: reject(
            'file-exists',
            `File already exists ('${file.filename}', with blake2_256 hash '${existing.blake2_256}'). ${publishingHelp('file-name-reuse', policy.docsUrl)}`,
          ),
        };
  }
  const limit = state.settings.uploadLimitBytes;
  if (limit !== null && file.size > limit) {
    // The receiver refuses it while it streams; this holds if the limit was lowered meanwhile.
    return { kind: 'rejected', rejection: reject('file-too-large', projectFileTooLarge(file.project, limit)) };
  }
  const release = state.releases.get(file.version);
  const closeAfter = state.settings.closeReleasesAfterSeconds;
  if (release && closeAfter !== null && policy.now.getTime() - Date.parse(release.createdAt) > closeAfter * 1000) {
    return {
      kind: 'rejected',
      rejection: reject(
        'release-closed',
        `Uploading new files to releases older than ${formatDuration(closeAfter)} is not allowed. ${publishingHelp('closed-releases', policy.docsUrl)}`,
      ),
    };
  }
  if (file.packagetype === 'sdist') {
    const otherSdist = [...state.files.entries()].some(
      ([, other]) => !other.deleted && other.version === file.version && other.packagetype === 'sdist',
    );
    if (otherSdist) {
      return { kind: 'rejected', rejection: reject('second-sdist', `Only one sdist may be uploaded per release. ${publishingHelp('one-sdist-per-release', policy.docsUrl)}`) };
    }
  }
  if (state.totalSize + file.size > policy.projectQuotaBytes) {
    return {
      kind: 'rejected',
      rejection: reject(
        'project-too-large',
        `Project size too large. Limit for project '${file.project}' total size is ${quotaText(policy.projectQuotaBytes)}. Delete files you no longer need, or ask an administrator to raise QUIVER_PROJECT_QUOTA_BYTES.`,
      ),
    };
  }
  const events: PackageEvent[] = [];
  if (!state.exists) {
    events.push({ type: 'ProjectCreated', schemaVersion: 1, data: { displayName: command.displayName, project: file.project } });
  }
  events.push({ type: 'ReleaseFilePublished', schemaVersion: 1, data: file });
  return { kind: 'events', events };
}

export function evolve(state: ProjectState, event: PackageEvent): ProjectState {
  switch (event.type) {
    case 'ProjectCreated':
      return { ...state, exists: true };
    case 'ReleaseFilePublished': {
      const { data } = event;
      const files = new Map(state.files).set(data.filename, {
        version: data.version,
        sha256: data.sha256,
        blake2_256: data.blake2_256,
        packagetype: data.packagetype,
        size: data.size,
        deleted: false,
      });
      const release = state.releases.get(data.version);
      const releases = new Map(state.releases).set(data.version, {
        ...release,
        liveFiles: (release?.liveFiles ?? 0) + 1,
        createdAt: release?.createdAt ?? data.uploadedAt,
      });
      return { ...state, files, releases, totalSize: state.totalSize + data.size };
    }
    case 'ReleaseYanked':
      return withRelease(state, event.data.version, (release) => ({ ...release, yankedReason: event.data.reason }));
    case 'ReleaseUnyanked':
      return withRelease(state, event.data.version, (release) => ({ liveFiles: release.liveFiles, createdAt: release.createdAt }));
    case 'ReleaseFileDeleted': {
      const file = state.files.get(event.data.filename);
      if (!file) {
        return state;
      }
      const files = new Map(state.files).set(event.data.filename, { ...file, deleted: true });
      return withRelease({ ...state, files, totalSize: state.totalSize - file.size }, file.version, (release) => ({ ...release, liveFiles: release.liveFiles - 1 }));
    }
    case 'ProjectSettingsChanged':
      return {
        ...state,
        settings: { closeReleasesAfterSeconds: event.data.closeReleasesAfterSeconds, nonVolatile: event.data.nonVolatile ?? false, uploadLimitBytes: event.data.uploadLimitBytes ?? null },
      };
  }
}

function withRelease(state: ProjectState, version: string, change: (release: ReleaseState) => ReleaseState): ProjectState {
  const release = state.releases.get(version);
  return release ? { ...state, releases: new Map(state.releases).set(version, change(release)) } : state;
}

export const foldProject = (events: readonly PackageEvent[]): ProjectState => events.reduce(evolve, initialProjectState);
