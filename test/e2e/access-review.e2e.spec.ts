/**
 * The access review end to end (issue 12, Done-when 4): `quiver access review --revoke-unused
 * --yes` against the running embedded registry revokes the token nobody used, and that token is
 * refused on its very next request, while the token in use keeps working. Without a terminal and
 * without --yes the CLI refuses and nothing is revoked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleIndexCatalog } from '@quiver/auth-feature-service';
import { eventually } from '@quiver/shared-testing';
import { grant, issueToken, type Issued } from './support/access.js';
import { startEmbedded, type EmbeddedRegistry } from './support/bad-input.js';
import { execute, show, type Ran } from './support/cli.js';
import { publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'node_modules', '.bin', 'quiver');

/** Runs the CLI with no terminal on standard input (or, with `typed`, on a terminal where that is typed), and only the settings given. */
function quiver(env: Readonly<Record<string, string>>, ...args: string[]): Promise<Ran> {
  return execute(bin, args, env);
}

/** The CLI on a real terminal (a pseudo-terminal from util-linux `script`), where `typed` is typed. */
function onTerminal(env: Readonly<Record<string, string>>, typed: string, ...args: string[]): Promise<Ran> {
  return execute('script', ['-qec', [bin, ...args].map((word) => `'${word}'`).join(' '), '/dev/null'], env, undefined, typed);
}

const basic = (token: string): string => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;

interface TokenView {
  readonly id: string;
  readonly issuedAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

describe('access review: --revoke-unused takes effect on the next request', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-review-'));
  let registry: EmbeddedRegistry;
  let env: Record<string, string>;
  let idle: Issued;
  let busy: Issued;

  const tokens = async (): Promise<TokenView[]> => {
    const response = await fetch(`${registry.base}/api/auth/tokens`, { headers: { authorization: registry.auth } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { tokens: TokenView[] }).tokens;
  };
  const token = async (id: string): Promise<TokenView> => {
    const found = (await tokens()).find((view) => view.id === id);
    assert.ok(found, id);
    return found;
  };
  const simple = async (secret: string): Promise<number> => (await fetch(`${registry.base}/simple/`, { headers: { authorization: basic(secret) } })).status;

  before(async () => {
    registry = await startEmbedded(work);
    env = { QUIVER_PORT: new URL(registry.base).port, QUIVER_DATA_DIR: registry.dataDir };
    await grant(registry, 'ci-bot', 'reader', '*');
    await grant(registry, 'ghost', 'reader', 'nothing-matches-*');
    idle = await issueToken(registry, 'ghost', 'never used');
    busy = await issueToken(registry, 'ci-bot', 'used');
  });

  after(async () => {
    const code = await registry.stop();
    for (const secret of [registry.token, idle.token, busy.token]) {
      assert.doesNotMatch(registry.started.output(), new RegExp(secret), 'no token reaches the log');
    }
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('answers the review to administrators only, and refuses an unreadable period', async () => {
    const get = (query: string, auth = registry.auth) => fetch(`${registry.base}/api/auth/access-review${query}`, { headers: { authorization: auth } });
    assert.equal((await get('')).status, 200);
    assert.equal((await get('?unused=3w')).status, 400);
    assert.equal((await get('?unused=1d&unused=2d')).status, 400);
    assert.equal((await get('', basic(busy.token))).status, 403);
    assert.equal((await fetch(`${registry.base}/api/auth/access-review/revoke-unused`, { method: 'POST', headers: { authorization: basic(busy.token) } })).status, 403);
    assert.equal((await token(idle.id)).revokedAt, null, 'a refused call revokes nothing');
  });

  it("reads project names from the index's PEP 691 /simple/ with the administrator's credentials", async () => {
    assert.equal((await publishWheel(registry.base, registry.auth, 'Review_Demo', '1.0')).response.status, 200);
    const problems: string[] = [];
    const catalog = simpleIndexCatalog(registry.base, (message) => problems.push(message));
    assert.deepEqual(await catalog.names(registry.auth), ['review-demo']);
    assert.equal(await catalog.names(undefined), undefined, 'no caller, no list');
    assert.equal(await catalog.names(basic('pypi-not-a-token')), undefined);
    assert.deepEqual(problems, ['the index answered 401 for its project list']);
  });

  it('flags the unused token, and revokes it alone; the revoked token gets 401 at once, the used one 200', async () => {
    // The busy token is used until its recorded last use is 4 s younger than the idle token, so a
    // whole-second period exists that the idle token's age exceeds and the busy token's does not.
    const issued = Date.parse((await token(idle.id)).issuedAt);
    await eventually(
      async () => {
        assert.equal(await simple(busy.token), 200);
        const lastUsed = (await token(busy.id)).lastUsedAt;
        return lastUsed !== null && Date.parse(lastUsed) - issued >= 4_000;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the busy token recorded as used 4 s after the idle one was issued' },
    );
    // Computed afresh for each run: both tokens age alike, the gap between them stays.
    const unused = (): string => `${Math.floor((Date.now() - issued) / 1000) - 1}s`;

    const review = await quiver(env, 'access', 'review', '--unused', unused(), '--format', 'json');
    assert.equal(review.code, 0, show(review));
    const body = JSON.parse(review.stdout) as { findings: { flag: string; tokenId: string | null; principal: string }[]; principals: { name: string; tokens: { id: string; flags: string[] }[] }[] };
    assert.deepEqual(body.findings.filter((f) => f.tokenId !== null).map((f) => `${f.flag} ${f.tokenId}`), [`never-used ${idle.id}`]);
    const markdown = await quiver(env, 'access', 'review', '--unused', unused());
    assert.match(markdown.stdout, /## Tokens never used\n\n- personal token tk_[0-9a-f]{16} was issued 0 days ago and never used/);

    const unconfirmed = await quiver(env, 'access', 'review', '--unused', unused(), '--revoke-unused');
    assert.equal(unconfirmed.code, 2, show(unconfirmed));
    assert.match(unconfirmed.stderr, /--revoke-unused asks for a confirmation on a terminal: run it on one, or add --yes/);
    assert.equal((await token(idle.id)).revokedAt, null, 'refused without --yes: nothing revoked');

    const declined = await onTerminal(env, 'n\n', 'access', 'review', '--unused', unused(), '--revoke-unused');
    assert.equal(declined.code, 1, show(declined));
    assert.match(declined.stdout, new RegExp(`${idle.id} ghost: personal token ${idle.id} was issued 0 days ago and never used\\r?\\nRevoke these 1 token\\(s\\)\\? They stop working at once\\. \\[y/N\\] `));
    assert.match(declined.stdout, /quiver: not confirmed; nothing was changed/);
    assert.doesNotMatch(declined.stdout, new RegExp(busy.id));
    assert.equal((await token(idle.id)).revokedAt, null, 'declined: nothing revoked');

    const revoked = await quiver(env, 'access', 'review', '--unused', unused(), '--revoke-unused', '--yes');
    assert.equal(revoked.code, 0, show(revoked));
    assert.equal(revoked.stdout, `revoked ${idle.id} (ghost, never-used)\n1 token(s) revoked\n`);

    assert.equal(await simple(idle.token), 401, 'the revoked token is refused on its next request');
    assert.equal(await simple(busy.token), 200, 'the used token still works');
    assert.notEqual((await token(idle.id)).revokedAt, null);
    assert.equal((await token(busy.id)).revokedAt, null);
  });
});
