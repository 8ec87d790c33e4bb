/**
 * The upload service's admin API (yank, unyank, delete, project settings, blob maintenance) against
 * the running embedded registry: text it cannot store or show (NUL and other control characters, a
 * lone surrogate) in a JSON body or a path parameter is refused with 400 and a message saying what
 * was expected; nothing is recorded, and the registry logs at most one line for it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildZip, wheelEntries } from '@quiver/upload-data-access-archive/testing';
import { distributionFields, startEmbedded, upload, type EmbeddedRegistry, type FilePart } from './support/bad-input.js';

interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
}

interface ProjectJson {
  readonly last_serial: number;
  readonly urls: readonly { readonly yanked: boolean; readonly yanked_reason: string | null }[];
}

const WHEEL: FilePart = { name: 'demo-1.0-py3-none-any.whl', bytes: buildZip(wheelEntries()) };

describe('admin API bad input against the running registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-admin-input-'));
  let registry: EmbeddedRegistry;

  /** `body` is sent as it is: JSON text whose escapes (`\u0000`) the server's parser decodes. */
  const call = async (method: string, path: string, body?: string): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: registry.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(`${registry.base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: response.status, reason: response.statusText, body: await response.text() };
  };
  const project = async (): Promise<ProjectJson> => (await (await fetch(`${registry.base}/pypi/demo/json`, { headers: { authorization: registry.auth } })).json()) as ProjectJson;

  /** Sends the request and asserts a clean 400: the message, a reason phrase, at most one log line and no stack. */
  const refuses = async (method: string, path: string, body: string | undefined, message: RegExp): Promise<void> => {
    const before = registry.started.output();
    const answer = await call(method, path, body);
    const what = `${method} ${path} ${body ?? ''}`;
    assert.equal(answer.status, 400, `${what}: ${answer.body}`);
    assert.match(answer.body, message, what);
    assert.match(answer.reason, /\S/, 'a meaningful reason phrase');
    assert.doesNotMatch(answer.body.trimEnd(), /\p{Cc}/u, 'no control character echoed back');
    const logged = registry.started.output().slice(before.length);
    assert.ok(logged.split('\n').filter(Boolean).length <= 1, `${what} logged more than one line:\n${logged}`);
    assert.doesNotMatch(logged, /\n\s+at /, `${what} logged a stack trace`);
  };

  before(async () => {
    registry = await startEmbedded(work);
    const published = await upload(registry, distributionFields(WHEEL), WHEEL);
    assert.equal(published.status, 200, published.body);
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('refuses a yank reason it cannot store with 400, recording nothing', async () => {
    const before = await project();
    const yank = '/api/packages/demo/releases/1.0/yank';
    await refuses('POST', yank, '{"reason": "broken\\u0000build"}', /^'reason' contains control characters \(such as NUL, tab or a line break\)\. Send \{"reason": "why"\}/);
    await refuses('POST', yank, '{"reason": "\\u001b[2J"}', /^'reason' contains control characters/);
    await refuses('POST', yank, '{"reason": "two\\nlines"}', /^'reason' contains control characters/);
    await refuses('POST', yank, '{"reason": "half \\ud83d"}', /^'reason' is not well-formed Unicode/);
    await refuses('POST', yank, JSON.stringify({ reason: 'x'.repeat(501) }), /^'reason' is longer than 500 characters\./);
    await refuses('POST', yank, '{"reason": 42}', /^'reason' must be a string\./);
    await refuses('POST', yank, '["broken"]', /^The body must be a JSON object\./);
    await refuses('POST', yank, '{"reason": "ok", "force": true}', /^Unknown field 'force'\./);
    assert.deepEqual(await project(), before, 'the release is not yanked and no event was indexed');

    // A clean reason right after: exactly one new event, so none of the refused ones was recorded.
    const accepted = await call('POST', yank, JSON.stringify({ reason: 'broken build 🙈 — use 1.1' }));
    assert.equal(accepted.status, 200, accepted.body);
    const after = await project();
    assert.equal(after.last_serial, before.last_serial + 1);
    assert.deepEqual(after.urls.map((file) => [file.yanked, file.yanked_reason]), [[true, 'broken build 🙈 — use 1.1']]);
    assert.equal((await call('POST', '/api/packages/demo/releases/1.0/unyank')).status, 200);
  });

  it('refuses control characters in path parameters of every release and settings route', async () => {
    const before = await project();
    // Refused before routing by the front hook of every service (index-hardening covers the index's routes).
    const projectMessage = /^Bad request: the URL's path contains a control character \(such as NUL, CR or LF\)/;
    await refuses('POST', '/api/packages/de%00mo/releases/1.0/yank', '{"reason": "x"}', projectMessage);
    await refuses('POST', '/api/packages/de%00mo/releases/1.0/unyank', undefined, projectMessage);
    await refuses('DELETE', '/api/packages/de%1Bmo/files/demo-1.0-py3-none-any.whl', undefined, projectMessage);
    await refuses('GET', '/api/packages/de%00mo/settings', undefined, projectMessage);
    await refuses('PUT', '/api/packages/de%00mo/settings', '{"closeReleasesAfter": "1d"}', projectMessage);
    await refuses('DELETE', '/api/packages/demo/files/demo-1.0-py3-none-any.whl%00', undefined, projectMessage);
    await refuses('POST', '/api/packages/demo/releases/1.0%0A/yank', '{"reason": "x"}', projectMessage);
    assert.deepEqual(await project(), before, 'nothing changed');
  });

  it('refuses the same text in project settings and maintenance bodies (already validated: kept as a guard)', async () => {
    const before = await project();
    await refuses('PUT', '/api/packages/demo/settings', '{"closeReleasesAfter": "1d\\u0000"}', /^'closeReleasesAfter' must be a duration/);
    await refuses('PUT', '/api/packages/demo/settings', '{"closeReleasesAfter": "\\ud800"}', /^'closeReleasesAfter' must be a duration/);
    await refuses('PUT', '/api/packages/demo/settings', '{"closeReleasesAfter\\u0000": "1d"}', /^Unknown setting 'closeReleasesAfter\?'/);
    await refuses('POST', '/api/maintenance/gc', '{"graceSeconds": "1\\u0000"}', /^graceSeconds must be a whole number of seconds/);
    await refuses('POST', '/api/maintenance/gc?graceSeconds=%00', undefined, /^Bad request: the URL's query contains a control character/);
    const settings = await call('GET', '/api/packages/demo/settings');
    assert.deepEqual(JSON.parse(settings.body), { closeReleasesAfter: null, nonVolatile: false, uploadLimit: null });
    assert.deepEqual(await project(), before, 'nothing changed');
  });
});
