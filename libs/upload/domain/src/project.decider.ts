/**
 * The project stream's decider: given the events so far and a command, which new events (if any).
 * Pure: time comes in with the command, storage and ids are the caller's business.
 */
import type { PackageEvent, ReleaseFilePublished } from '@quiver/shared-contracts-packages';
import { reject, type UploadRejection } from './upload-rejection.js';

export interface FileState {
  readonly version: string;
  readonly sha256: string;
  readonly blake2_256: string;
  readonly packagetype: 'bdist_wheel' | 'sdist';
  readonly deleted: boolean;
}

export interface ReleaseState {
  readonly yankedReason?: string;
  readonly liveFiles: number;
}

export interface ProjectState {
  readonly exists: boolean;
  readonly files: ReadonlyMap<string, FileState>;
  readonly releases: ReadonlyMap<string, ReleaseState>;
}

export const initialProjectState: ProjectState = { exists: false, files: new Map(), releases: new Map() };

export interface PublishReleaseFile {
  readonly type: 'PublishReleaseFile';
  readonly displayName: string;
  readonly file: ReleaseFilePublished['data'];
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
}

export type ProjectCommand = PublishReleaseFile | YankRelease | UnyankRelease | DeleteReleaseFile;

export type Decision =
  | { readonly kind: 'events'; readonly events: readonly PackageEvent[] }
  /** Nothing to record: the state already is what the command asks for (identical re-upload). */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rejected'; readonly rejection: UploadRejection };

const FILE_REUSE_HELP = 'See https://pypi.org/help/#file-name-reuse for more information.';

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
    case 'DeleteReleaseFile': {
      const file = state.files.get(command.filename);
      if (!file || file.deleted) {
        return { kind: 'rejected', rejection: reject('not-found', `Project '${command.project}' has no file '${command.filename}'.`) };
      }
      return {
        kind: 'events',
        events: [{ type: 'ReleaseFileDeleted', schemaVersion: 1, data: { project: command.project, version: file.version, filename: command.filename } }],
      };
    }
  }
}

function decidePublish(command: PublishReleaseFile, state: ProjectState): Decision {
  const { file } = command;
  const existing = state.files.get(file.filename);
  if (existing?.deleted) {
    return {
      kind: 'rejected',
      rejection: reject('filename-reused', `This filename was previously used by a file that has since been deleted. Use a different version. ${FILE_REUSE_HELP}`),
    };
  }
  if (existing) {
    return existing.sha256 === file.sha256
      ? { kind: 'unchanged' }
      : {
          kind: 'rejected',
          rejection: reject('file-exists', `File already exists ('${file.filename}', with blake2_256 hash '${existing.blake2_256}'). ${FILE_REUSE_HELP}`),
        };
  }
  if (file.packagetype === 'sdist') {
    const otherSdist = [...state.files.entries()].some(
      ([, other]) => !other.deleted && other.version === file.version && other.packagetype === 'sdist',
    );
    if (otherSdist) {
      return { kind: 'rejected', rejection: reject('second-sdist', 'Only one sdist may be uploaded per release.') };
    }
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
        deleted: false,
      });
      const release = state.releases.get(data.version);
      const releases = new Map(state.releases).set(data.version, { ...release, liveFiles: (release?.liveFiles ?? 0) + 1 });
      return { ...state, files, releases };
    }
    case 'ReleaseYanked':
      return withRelease(state, event.data.version, (release) => ({ ...release, yankedReason: event.data.reason }));
    case 'ReleaseUnyanked':
      return withRelease(state, event.data.version, (release) => ({ liveFiles: release.liveFiles }));
    case 'ReleaseFileDeleted': {
      const file = state.files.get(event.data.filename);
      if (!file) {
        return state;
      }
      const files = new Map(state.files).set(event.data.filename, { ...file, deleted: true });
      return withRelease({ ...state, files }, file.version, (release) => ({ ...release, liveFiles: release.liveFiles - 1 }));
    }
  }
}

function withRelease(state: ProjectState, version: string, change: (release: ReleaseState) => ReleaseState): ProjectState {
  const release = state.releases.get(version);
  return release ? { ...state, releases: new Map(state.releases).set(version, change(release)) } : state;
}

export const foldProject = (events: readonly PackageEvent[]): ProjectState => events.reduce(evolve, initialProjectState);
