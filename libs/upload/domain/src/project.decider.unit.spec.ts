import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackageEvent, ReleaseFilePublished } from '@quiver/shared-contracts-packages';
import { decide, foldProject, type Decision, type ProjectCommand } from './project.decider.js';

const file = (filename: string, sha: string, overrides: Partial<ReleaseFilePublished['data']> = {}): ReleaseFilePublished['data'] => ({
  project: 'demo',
  version: '1.0',
  filename,
  packagetype: filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
  pythonVersion: filename.endsWith('.whl') ? 'py3' : 'source',
  size: 10,
  sha256: sha.repeat(64),
  blake2_256: sha.repeat(64),
  blobKey: `files/${sha}`,
  requiresPython: null,
  summary: null,
  coreMetadata: null,
  uploadedAt: '2026-11-25T08:00:00.000Z',
  ...overrides,
});

const publish = (data: ReleaseFilePublished['data']): ProjectCommand => ({ type: 'PublishReleaseFile', displayName: 'Demo', file: data });
const published = (data: ReleaseFilePublished['data']): PackageEvent => ({ type: 'ReleaseFilePublished', schemaVersion: 1, data });
const created: PackageEvent = { type: 'ProjectCreated', schemaVersion: 1, data: { displayName: 'Demo', project: 'demo' } };

/** given events → when command → then decision */
const given = (events: readonly PackageEvent[]) => ({ when: (command: ProjectCommand): Decision => decide(command, foldProject(events)) });
const rejection = (decision: Decision): string => (decision.kind === 'rejected' ? `${decision.rejection.code}: ${decision.rejection.message}` : decision.kind);

describe('project decider', () => {
  it('creates the project with its first file', () => {
    const decision = given([]).when(publish(file('demo-1.0.tar.gz', 'a')));
    assert.deepEqual(decision, { kind: 'events', events: [created, published(file('demo-1.0.tar.gz', 'a'))] });
  });

  it('treats a byte-identical re-upload as unchanged (no event)', () => {
    assert.deepEqual(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0.tar.gz', 'a'))), { kind: 'unchanged' });
  });

  it('refuses other bytes under an existing filename', () => {
    assert.match(
      rejection(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0.tar.gz', 'b')))),
      /^file-exists: File already exists \('demo-1\.0\.tar\.gz', with blake2_256 hash 'a{64}'\)/,
    );
  });

  it('never lets a deleted filename be used again, whatever the bytes', () => {
    const history = [created, published(file('demo-1.0.tar.gz', 'a')), { type: 'ReleaseFileDeleted', schemaVersion: 1, data: { project: 'demo', version: '1.0', filename: 'demo-1.0.tar.gz' } } as const];
    for (const sha of ['a', 'b']) {
      assert.match(rejection(given(history).when(publish(file('demo-1.0.tar.gz', sha)))), /^filename-reused: This filename was previously used/);
    }
  });

  it('allows one sdist per release', () => {
    assert.match(
      rejection(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0.zip', 'b')))),
      /^second-sdist: Only one sdist may be uploaded per release\.$/,
    );
    assert.equal(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0-py3-none-any.whl', 'b'))).kind, 'events');
  });

  it('yanks and unyanks whole releases, idempotently', () => {
    const history = [created, published(file('demo-1.0.tar.gz', 'a'))];
    const yank: ProjectCommand = { type: 'YankRelease', project: 'demo', version: '1.0', reason: 'broken' };
    assert.equal(given(history).when(yank).kind, 'events');
    const yanked = [...history, { type: 'ReleaseYanked', schemaVersion: 1, data: { project: 'demo', version: '1.0', reason: 'broken' } } as const];
    assert.equal(given(yanked).when(yank).kind, 'unchanged');
    assert.equal(given(yanked).when({ type: 'UnyankRelease', project: 'demo', version: '1.0' }).kind, 'events');
    assert.equal(given(history).when({ type: 'UnyankRelease', project: 'demo', version: '1.0' }).kind, 'unchanged');
    assert.match(rejection(given(history).when({ ...yank, version: '9.9' })), /^not-found/);
  });
});
