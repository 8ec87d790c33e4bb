import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackageEvent, ReleaseFilePublished } from '@quiver/shared-contracts-packages';
import { decide, foldProject, type Decision, type ProjectCommand, type UploadPolicy } from './project.decider.js';
import { confusableKey, prohibitedNameSet } from './project-name-policy.js';

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

const policy: UploadPolicy = { projectQuotaBytes: 10 * 1024 ** 3, prohibitedNames: prohibitedNameSet(), now: new Date('2026-11-25T09:00:00.000Z') };
const publish = (data: ReleaseFilePublished['data'], overrides: Partial<UploadPolicy> = {}, displayName = 'Demo'): ProjectCommand => ({
  type: 'PublishReleaseFile',
  displayName,
  file: data,
  policy: { ...policy, ...overrides },
});
const DAY = 86_400;
const settings = (closeReleasesAfterSeconds: number | null, nonVolatile = false, uploadLimitBytes: number | null = null): PackageEvent => ({
  type: 'ProjectSettingsChanged',
  schemaVersion: 1,
  data: { project: 'demo', closeReleasesAfterSeconds, nonVolatile, uploadLimitBytes },
});
const deleted = (filename: string): PackageEvent => ({ type: 'ReleaseFileDeleted', schemaVersion: 1, data: { project: 'demo', version: '1.0', filename } });
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
      /^file-exists: File already exists \('demo-1\.0\.tar\.gz', with blake2_256 hash 'a{64}'\)\. See docs\/publishing\.md#file-name-reuse in Quiver's documentation for more information\.$/,
    );
    assert.match(
      rejection(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0.tar.gz', 'b'), { docsUrl: 'https://docs.example.test/quiver' }))),
      /^file-exists: File already exists \(.*\)\. See https:\/\/docs\.example\.test\/quiver\/publishing\.md#file-name-reuse for more information\.$/,
    );
  });

  it('never lets a deleted filename be used again, whatever the bytes', () => {
    const history = [created, published(file('demo-1.0.tar.gz', 'a')), { type: 'ReleaseFileDeleted', schemaVersion: 1, data: { project: 'demo', version: '1.0', filename: 'demo-1.0.tar.gz' } } as const];
    for (const sha of ['a', 'b']) {
      assert.match(
        rejection(given(history).when(publish(file('demo-1.0.tar.gz', sha)))),
        /^filename-reused: This filename was previously used by a file that has since been deleted\. Use a different version\. See docs\/publishing\.md#file-name-reuse in /,
      );
    }
  });

  it('allows one sdist per release', () => {
    assert.match(
      rejection(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0.zip', 'b')))),
      /^second-sdist: Only one sdist may be uploaded per release\. See docs\/publishing\.md#one-sdist-per-release in Quiver's documentation for more information\.$/,
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

  it('refuses standard-library and prohibited names for new projects only (BAD-INPUT 42, 43)', () => {
    const named = (name: string): string => rejection(given([]).when(publish(file('x-1.0.tar.gz', 'a'), {}, name)));
    for (const name of ['encodings', 'xml.parsers.expat', 'CGIHTTPServer', 'Xml_Parsers-Expat', 'thread']) {
      assert.match(named(name), new RegExp(`^prohibited-name: The name '${name}' isn't allowed \\(conflict with Python Standard Library module name\\)\\. See `));
    }
    assert.match(named('requirements.txt'), /^prohibited-name: The name 'requirements\.txt' isn't allowed\. See /);
    assert.match(named('Requirements-TXT'), /^prohibited-name: The name 'Requirements-TXT' isn't allowed\. See /);
    assert.equal(named('encodings-tools'), 'events');
    assert.match(rejection(given([]).when(publish(file('x-1.0.tar.gz', 'a'), { prohibitedNames: prohibitedNameSet(['Internal.Only']) }, 'internal_only'))), /isn't allowed\. See /);
    const existing: PackageEvent = { type: 'ProjectCreated', schemaVersion: 1, data: { displayName: 'encodings', project: 'encodings' } };
    assert.equal(given([existing]).when(publish(file('encodings-1.0.tar.gz', 'a', { project: 'encodings' }), {}, 'encodings')).kind, 'events');
  });

  it('refuses an upload that would push the live files over the project quota (BAD-INPUT 22)', () => {
    const history = [created, published(file('demo-1.0.tar.gz', 'a', { size: 60 }))];
    assert.equal(given(history).when(publish(file('demo-1.0-py3-none-any.whl', 'b', { size: 40 }), { projectQuotaBytes: 100 })).kind, 'events');
    assert.equal(
      rejection(given(history).when(publish(file('demo-1.0-py3-none-any.whl', 'b', { size: 41 }), { projectQuotaBytes: 100 }))),
      "project-too-large: Project size too large. Limit for project 'demo' total size is 100 bytes. Delete files you no longer need, or ask an administrator to raise QUIVER_PROJECT_QUOTA_BYTES.",
    );
    assert.match(rejection(given([]).when(publish(file('demo-1.0.tar.gz', 'a', { size: 11 * 1024 ** 3 })))), /total size is 10 GB\./);
    assert.equal(given([...history, deleted('demo-1.0.tar.gz')]).when(publish(file('demo-2.0.tar.gz', 'c', { version: '2.0', size: 100 }), { projectQuotaBytes: 100 })).kind, 'events');
    assert.equal(given(history).when(publish(file('demo-1.0.tar.gz', 'a', { size: 60 }), { projectQuotaBytes: 1 })).kind, 'unchanged');
  });

  it('closes releases to new files after the per-project period, off by default (BAD-INPUT 27)', () => {
    const first = published(file('demo-1.0.tar.gz', 'a', { uploadedAt: '2026-11-01T09:00:00.000Z' }));
    const wheel = file('demo-1.0-py3-none-any.whl', 'b');
    const at = (iso: string): Partial<UploadPolicy> => ({ now: new Date(iso) });
    assert.equal(given([created, first]).when(publish(wheel, at('2027-01-01T00:00:00.000Z'))).kind, 'events', 'off by default');
    const closing = [created, first, settings(14 * DAY)];
    assert.equal(given(closing).when(publish(wheel, at('2026-11-15T09:00:00.000Z'))).kind, 'events', 'exactly 14 days: still open');
    assert.equal(
      rejection(given(closing).when(publish(wheel, at('2026-11-15T09:00:00.001Z')))),
      "release-closed: Uploading new files to releases older than 14 days is not allowed. See docs/publishing.md#closed-releases in Quiver's documentation for more information.",
    );
    assert.equal(given(closing).when(publish(file('demo-2.0.tar.gz', 'c', { version: '2.0' }), at('2027-01-01T00:00:00.000Z'))).kind, 'events', 'a new release is open');
    assert.equal(given([...closing, settings(null)]).when(publish(wheel, at('2027-01-01T00:00:00.000Z'))).kind, 'events', 'turned off again');
    assert.match(rejection(given([created, first, settings(1)]).when(publish(wheel, at('2026-11-01T09:00:01.001Z')))), /older than 1 second is/);
  });

  it('records a settings change once, and only for a project that exists', () => {
    const change: ProjectCommand = { type: 'ChangeProjectSettings', project: 'demo', settings: { closeReleasesAfterSeconds: 14 * DAY } };
    assert.deepEqual(given([created]).when(change), { kind: 'events', events: [settings(14 * DAY)] });
    assert.equal(given([created, settings(14 * DAY)]).when(change).kind, 'unchanged');
    assert.match(rejection(given([]).when(change)), /^not-found/);
  });

  it('changes only the settings given, and folds an older event without nonVolatile as volatile', () => {
    const protect: ProjectCommand = { type: 'ChangeProjectSettings', project: 'demo', settings: { nonVolatile: true } };
    assert.deepEqual(given([created, settings(14 * DAY)]).when(protect), { kind: 'events', events: [settings(14 * DAY, true)] });
    const older: PackageEvent = { type: 'ProjectSettingsChanged', schemaVersion: 1, data: { project: 'demo', closeReleasesAfterSeconds: 14 * DAY } };
    assert.equal(foldProject([created, older]).settings.nonVolatile, false);
    assert.equal(given([created, settings(14 * DAY, true)]).when(protect).kind, 'unchanged');
  });

  it('refuses to delete a file of a non-volatile project unless forced (BAD-INPUT 68)', () => {
    const history = [created, published(file('demo-1.0.tar.gz', 'a')), settings(null, true)];
    const remove: ProjectCommand = { type: 'DeleteReleaseFile', project: 'demo', filename: 'demo-1.0.tar.gz' };
    assert.equal(rejection(given(history).when(remove)), "non-volatile: Project 'demo' is non-volatile: its files cannot be deleted. An administrator on '*' can force it (quiver delete --force).");
    assert.equal(given(history).when({ ...remove, force: true }).kind, 'events');
    assert.equal(given([...history, settings(null, false)]).when(remove).kind, 'events', 'volatile again');
  });

  it('refuses every new project while new projects are disallowed, and takes uploads to existing ones (BAD-INPUT 64)', () => {
    const closed = { newProjectsDisallowed: true };
    assert.match(rejection(given([]).when(publish(file('demo-1.0.tar.gz', 'a'), closed))), /^new-projects-disallowed: New project registration temporarily disabled\. See docs\/publishing\.md#new-projects /);
    assert.equal(given([created, published(file('demo-1.0.tar.gz', 'a'))]).when(publish(file('demo-1.0-py3-none-any.whl', 'b'), closed)).kind, 'events');
  });

  it('refuses a new project whose name is confusable with an existing one, naming it; an existing project is never refused for it', () => {
    assert.equal(
      rejection(given([]).when(publish(file('demo-1.0.tar.gz', 'a'), { confusableWith: 'dem0' }))),
      "confusable-name: The name 'Demo' is too similar to an existing project, 'dem0'. Upload to 'dem0', or choose a clearly different name. See https://packaging.python.org/specifications/name-normalization/ for more information.",
    );
    assert.equal(given([created]).when(publish(file('demo-1.0.tar.gz', 'a'), { confusableWith: 'dem0' })).kind, 'events');
  });

  it('reads l, i, I and 1 as one, o and 0 as one, and drops separators and case (confusable names)', () => {
    assert.equal(confusableKey('acme-tools'), 'acmet001s');
    for (const name of ['Acme.Tools', 'acme_t00ls', 'ACMETOOLS', 'acme-too1s', 'acme-tooIs']) {
      assert.equal(confusableKey(name), confusableKey('acme-tools'), name);
    }
    assert.notEqual(confusableKey('acme-tool'), confusableKey('acme-tools'));
  });

  it("keeps a project's upload limit within 1 GiB and refuses a file over it (BAD-INPUT 65)", () => {
    const limit = (uploadLimitBytes: number | null): ProjectCommand => ({ type: 'ChangeProjectSettings', project: 'demo', settings: { uploadLimitBytes } });
    assert.deepEqual(given([created]).when(limit(1024 ** 3)), { kind: 'events', events: [settings(null, false, 1024 ** 3)] });
    for (const bad of [1024 ** 3 + 1, 0, 1.5]) {
      assert.match(rejection(given([created]).when(limit(bad))), /^invalid-metadata: A project's upload limit is a whole number of bytes from 1 to 1073741824 \(1 GiB\)\./, String(bad));
    }
    const limited = [created, settings(null, false, 50)];
    assert.equal(rejection(given(limited).when(publish(file('demo-1.0.tar.gz', 'a', { size: 51 })))), "file-too-large: File too large. Limit for project 'demo' is 50 bytes.");
    assert.equal(given(limited).when(publish(file('demo-1.0.tar.gz', 'a', { size: 50 }))).kind, 'events');
  });
});
