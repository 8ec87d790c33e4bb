/**
 * BAD-INPUT 57–60 and 66 against the running (embedded) registry: revoked and expired tokens are
 * no credentials (401 with the Basic challenge), a project-scoped token stays in its projects (403,
 * and a new project it names is not created), a token narrowed to some permissions is refused the
 * others, and a deleted file leaves its name reserved. Each refusal stores nothing. (61 and 62,
 * which need the directory, are in ldap.e2e.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWheel, eventually } from '@quiver/shared-testing';
import { grant } from './support/access.js';
import { countFiles, distributionFields, startEmbedded, upload, type EmbeddedRegistry } from './support/bad-input.js';
import { basicToken } from './support/publish.js';

interface Created {
  readonly id: string;
  readonly token: string;
}

describe('token bad input (BAD-INPUT 57-60, 66) against the running registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-auth-bad-input-'));
  let registry: EmbeddedRegistry;

  const create = async (principal: string, body: Record<string, unknown>): Promise<Created> => {
    const response = await fetch(`${registry.base}/api/auth/principals/${principal}/tokens`, { method: 'POST', headers: { authorization: registry.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as Created;
  };
  const publish = (auth: string, project: string, version = '1.0'): Promise<{ status: number; reason: string; body: string }> => {
    const wheel = buildWheel(project, version);
    const part = { name: wheel.filename, bytes: wheel.bytes };
    return upload({ base: registry.base, auth }, distributionFields(part, { name: project, version }), part);
  };
  const exists = async (project: string): Promise<boolean> => (await fetch(`${registry.base}/simple/${project}/`, { headers: { authorization: registry.auth } })).status === 200;

  before(async () => {
    registry = await startEmbedded(work);
    await grant(registry, 'dev', 'developer', '*');
    assert.equal((await publish(registry.auth, 'alpha')).status, 200);
    assert.equal((await publish(registry.auth, 'beta')).status, 200);
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('answers a revoked token with 401 and the Basic challenge, storing nothing (57)', async () => {
    const token = await create('dev', {});
    assert.equal((await fetch(`${registry.base}/api/auth/tokens/${token.id}`, { method: 'DELETE', headers: { authorization: registry.auth } })).status, 204);
    const blobs = countFiles(join(registry.dataDir, 'blobs'));
    const refused = await publish(basicToken(token.token), 'alpha', '2.0');
    assert.equal(refused.status, 401, refused.body);
    assert.equal(refused.body.trim(), 'Invalid API Token: the token was revoked.');
    const read = await fetch(`${registry.base}/simple/alpha/`, { headers: { authorization: basicToken(token.token) } });
    assert.equal(read.status, 401);
    assert.equal(read.headers.get('www-authenticate'), 'Basic realm="quiver"');
    assert.equal(countFiles(join(registry.dataDir, 'blobs')), blobs, 'nothing stored');
  });

  it('answers an expired token with 401 "Invalid API Token: token is expired", storing nothing (58)', async () => {
    const token = await create('dev', { kind: 'temporary', expires: '1s' });
    await eventually(async () => assert.equal((await fetch(`${registry.base}/simple/alpha/`, { headers: { authorization: basicToken(token.token) } })).status, 401), { timeoutMs: 5_000, intervalMs: 100 });
    const refused = await publish(basicToken(token.token), 'alpha', '3.0');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.trim(), 'Invalid API Token: token is expired');
    assert.match(refused.reason, /token is expired/);
  });

  it("keeps a project-scoped token in its projects: 403 on another, and a new project it names is not created (59)", async () => {
    const token = await create('dev', { packages: ['alpha'] });
    const other = await publish(basicToken(token.token), 'beta', '2.0');
    assert.equal(other.status, 403, other.body);
    assert.equal(other.body.trim(), "Invalid API Token: project-scoped token is not valid for project: 'beta'");
    const created = await publish(basicToken(token.token), 'gamma');
    assert.equal(created.status, 403);
    assert.equal(created.body.trim(), "Invalid API Token: project-scoped token is not valid for project: 'gamma'");
    assert.equal(await exists('gamma'), false, 'no project row');
    assert.equal((await publish(basicToken(token.token), 'alpha', '4.0')).status, 200, 'its own project');
  });

  it('refuses a token narrowed to publishing everything else: the admin API, token management, yank (60)', async () => {
    const admin = await create('dev-admin', { permissions: ['install', 'publish'] });
    await grant(registry, 'dev-admin', 'admin', '*');
    const auth = basicToken(admin.token);
    const calls: [string, string, string | undefined, string][] = [
      ['POST', '/api/auth/principals/dev/tokens', '{}', 'admin'],
      ['PUT', '/api/auth/principals/dev/grants/reader/alpha', undefined, 'admin'],
      ['GET', '/api/auth/tokens', undefined, 'admin'],
      ['POST', '/api/maintenance/gc', undefined, 'admin'],
      ['POST', '/api/packages/-/import', undefined, 'admin'],
      ['POST', '/api/packages/alpha/releases/1.0/yank', '{"reason": "x"}', 'yank'],
      ['DELETE', '/api/packages/alpha/files/alpha-1.0-py3-none-any.whl', undefined, 'delete'],
    ];
    for (const [method, path, body, permission] of calls) {
      const response = await fetch(`${registry.base}${path}`, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal((await response.text()).trim(), `Invalid API Token: the token is not valid for permission: ${permission}`, `${method} ${path}`);
    }
    const page = (await (await fetch(`${registry.base}/pypi/alpha/json`, { headers: { authorization: registry.auth } })).json()) as { urls: { yanked: boolean }[] };
    assert.ok(page.urls.every((file) => !file.yanked), 'nothing was yanked');
    assert.equal((await publish(auth, 'alpha', '5.0')).status, 200, 'what it may do, it does');
  });

  it('removes a deleted file from the index and keeps its name reserved (66)', async () => {
    const removed = await fetch(`${registry.base}/api/packages/beta/files/beta-1.0-py3-none-any.whl`, { method: 'DELETE', headers: { authorization: registry.auth } });
    assert.equal(removed.status, 200, await removed.text());
    const page = await (await fetch(`${registry.base}/simple/beta/`, { headers: { authorization: registry.auth } })).text();
    assert.doesNotMatch(page, /beta-1\.0-py3-none-any\.whl/);
    const again = await publish(registry.auth, 'beta', '1.0');
    assert.equal(again.status, 400);
    assert.match(again.body, /This filename was previously used by a file that has since been deleted/);
  });
});
