/**
 * Issue 11, Done-when 1: team access as an administrator sets it up with the quiver CLI and people
 * and pipelines use it with real clients (twine uploads, pip installs), in both modes. Roles on
 * patterns, tokens narrowed to packages and permissions, revoked, expired and rotated-out tokens,
 * a one-use token raced by 20 requests, a grant removed under a live token, and a token longer than
 * its kind allows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@quiver/shared-testing';
import { startEmbedded } from './support/bad-input.js';
import { startDistributed } from './support/distributed.js';
import { basicToken } from './support/publish.js';
import { buildProject, runPython } from './support/python.js';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

interface Registry {
  readonly base: string;
  /** The administrator's token. */
  readonly token: string;
  output(): string;
  stop(): Promise<boolean>;
}

interface CreatedToken {
  readonly id: string;
  readonly token: string;
  readonly principal: string;
  readonly kind: string;
  readonly expiresAt: string;
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function identitySuite(mode: string, start: (work: string) => Promise<Registry>, suffix: string): void {
  describe(`team access through the CLI and real clients (${mode})`, () => {
    const work = mkdtempSync(join(tmpdir(), 'quiver-identity-'));
    const [dev, reader, wide, acme, other] = [`dev-${suffix}`, `reader-${suffix}`, `wide-${suffix}`, `acme-${suffix}-tools`, `other-${suffix}-pkg`];
    let registry: Registry;
    const secrets: string[] = [];

    /** The quiver CLI as an administrator runs it: QUIVER_URL and QUIVER_TOKEN from the environment. */
    const quiver = async (...args: string[]): Promise<CliResult> => {
      try {
        const { stdout, stderr } = await execFileAsync(process.execPath, ['apps/cli/dist/main.js', ...args], {
          cwd: root,
          env: { PATH: process.env['PATH'] ?? '', QUIVER_URL: registry.base, QUIVER_TOKEN: registry.token },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
      }
    };
    const ok = async (...args: string[]): Promise<CliResult> => {
      const result = await quiver(...args);
      assert.equal(result.code, 0, `quiver ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    const createToken = async (principal: string, ...options: string[]): Promise<CreatedToken> => {
      const created = JSON.parse((await ok('token', 'create', principal, ...options, '--json')).stdout) as CreatedToken;
      secrets.push(created.token);
      return created;
    };

    /** twine uploads a new wheel of `project` (its own version, so bytes never conflict). */
    let versions = 0;
    const twine = async (token: string, project: string, marker: string): Promise<{ code: number | null; output: string }> => {
      versions += 1;
      const built = await buildProject(work, project, `1.${versions}`, marker);
      return runPython('twine', ['upload', '--non-interactive', '--repository-url', `${registry.base}/legacy/`, built.wheel], { cwd: work, env: { TWINE_USERNAME: '__token__', TWINE_PASSWORD: token } });
    };
    const pipDownload = (token: string, requirement: string): ReturnType<typeof runPython> =>
      runPython('pip', ['download', '--no-deps', '--index-url', `${registry.base.replace('http://', `http://__token__:${token}@`)}/simple/`, '-d', join(work, `dl-${randomBytes(3).toString('hex')}`), requirement], { cwd: work });
    const read = (token: string, path: string): Promise<Response> => fetch(new URL(path, registry.base), { headers: { authorization: basicToken(token), accept: SIMPLE_JSON } });
    const status = async (token: string, path: string): Promise<number> => {
      const response = await read(token, path);
      await response.arrayBuffer();
      return response.status;
    };

    before(async () => {
      registry = await start(work);
      await ok('grant', dev, 'developer', `acme-${suffix}-*`);
      await ok('grant', reader, 'reader', '*');
      await ok('grant', wide, 'developer', '*');
      // Something to install, and a project outside acme-*, published by the administrator.
      for (const project of [acme, other]) {
        const published = await twine(registry.token, project, 'seed');
        assert.equal(published.code, 0, published.output);
      }
    });

    after(async () => {
      const clean = await registry.stop();
      rmSync(work, { recursive: true, force: true });
      assert.ok(clean, 'every process stopped cleanly');
    });

    it('lets a developer on acme-* publish acme-tools and not other-pkg (403)', async () => {
      const token = await createToken(dev, '--description', 'laptop');
      const published = await twine(token.token, acme, 'dev');
      assert.equal(published.code, 0, published.output);
      const refused = await twine(token.token, other, 'dev');
      assert.notEqual(refused.code, 0);
      assert.match(refused.output, /403/);
      // twine wraps the message to the terminal's width: compare with the line breaks folded.
      assert.match(refused.output.replace(/\s+/g, ' '), new RegExp(`isn't allowed to upload to project '${other}'`));
    });

    it('lets a reader install with pip and refuses its upload with 403', async () => {
      const token = await createToken(reader);
      const installed = await pipDownload(token.token, acme);
      assert.equal(installed.code, 0, installed.output);
      const upload = await twine(token.token, acme, 'reader');
      assert.notEqual(upload.code, 0);
      assert.match(upload.output, /403/);
    });

    it('narrows a token to acme-* and install: it sees only those projects and cannot publish', async () => {
      // A principal that may install and publish everything; its token only acme-* and install.
      const token = await createToken(wide, '--packages', `acme-${suffix}-*`, '--permissions', 'install');
      const listing = (await (await read(token.token, '/simple/')).json()) as { projects: { name: string }[] };
      assert.deepEqual(
        listing.projects.map((project) => project.name),
        [acme],
        'only the projects the token names, of those its principal may read',
      );
      assert.equal(await status(token.token, `/simple/${other}/`), 404);
      assert.equal((await pipDownload(token.token, acme)).code, 0);
      const upload = await twine(token.token, acme, 'narrow');
      assert.notEqual(upload.code, 0);
      assert.match(upload.output, /403/);
      assert.match(upload.output.replace(/\s+/g, ' '), /not valid for permission: publish/);
    });

    it('refuses a revoked, an expired (3 s, after 4 s) and a rotated-out token with 401', async () => {
      const revoked = await createToken(reader);
      assert.equal(await status(revoked.token, `/simple/${acme}/`), 200);
      await ok('token', 'revoke', revoked.id);
      assert.equal(await status(revoked.token, `/simple/${acme}/`), 401);

      const began = Date.now();
      const expiring = await createToken(reader, '--kind', 'temporary', '--expires', '3s');
      assert.equal(await status(expiring.token, `/simple/${acme}/`), 200);
      await eventually(async () => assert.equal(await status(expiring.token, `/simple/${acme}/`), 401), { timeoutMs: 15_000, intervalMs: 250 });
      assert.ok(Date.now() - began >= 3_000, 'not before its expiry');
      assert.ok((await read(expiring.token, `/simple/${acme}/`)).headers.get('www-authenticate'), 'with the Basic challenge');

      const rotating = await createToken(reader);
      const rotated = JSON.parse((await ok('token', 'rotate', rotating.id, '--json')).stdout) as CreatedToken & { previousValidUntil: string };
      secrets.push(rotated.token);
      assert.equal(rotated.id, rotating.id, 'the same token, with a new secret');
      assert.equal(await status(rotating.token, `/simple/${acme}/`), 401, 'the old secret, without a grace');
      assert.equal(await status(rotated.token, `/simple/${acme}/`), 200, 'the new secret');
      const graceful = await createToken(reader);
      const regraced = JSON.parse((await ok('token', 'rotate', graceful.id, '--grace', '2s', '--json')).stdout) as CreatedToken;
      secrets.push(regraced.token);
      assert.equal(await status(graceful.token, `/simple/${acme}/`), 200, 'the old secret within its grace');
      await eventually(async () => assert.equal(await status(graceful.token, `/simple/${acme}/`), 401), { timeoutMs: 15_000, intervalMs: 250 });
      assert.equal(await status(regraced.token, `/simple/${acme}/`), 200);
    });

    it('lets exactly one of 20 racing requests through with a one-use token', async () => {
      const token = await createToken(reader, '--kind', 'emergency', '--reason', 'prod incident', '--uses', '1');
      const statuses = await Promise.all(Array.from({ length: 20 }, () => status(token.token, `/simple/${acme}/`)));
      assert.deepEqual(
        statuses.sort(),
        ['200', ...Array.from({ length: 19 }, () => '401')].map(Number),
        'one through, the other 19 refused',
      );
      const listed = JSON.parse((await ok('token', 'list', reader, '--json')).stdout) as { tokens: { id: string; usesLeft: number | null }[] };
      assert.equal(listed.tokens.find((entry) => entry.id === token.id)?.usesLeft, 0);
    });

    it('narrows a live token on its next request when a grant is removed', async () => {
      const principal = `narrowed-${suffix}`;
      await ok('grant', principal, 'reader', acme);
      const token = await createToken(principal);
      assert.equal(await status(token.token, `/simple/${acme}/`), 200);
      await ok('revoke', principal, 'reader', acme);
      assert.equal(await status(token.token, `/simple/${acme}/`), 404, 'the answer of a project it may not see');
    });

    it('refuses a personal token for 365 days, naming the 90-day limit', async () => {
      const refused = await quiver('token', 'create', reader, '--expires', '365d');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /A personal token lives at most 90 days \(90d\); 365d is longer\./);
    });

    it('shows token use in `token list` within 5 seconds, and no secret in any log', async () => {
      const token = await createToken(reader, '--description', 'last use');
      assert.equal(await status(token.token, `/simple/${acme}/`), 200);
      await eventually(
        async () => {
          const listed = JSON.parse((await ok('token', 'list', reader, '--json')).stdout) as { tokens: { id: string; lastUsedAt: string | null; lastUsedFrom: string | null }[] };
          const entry = listed.tokens.find((candidate) => candidate.id === token.id);
          assert.ok(entry?.lastUsedAt, 'last use recorded');
          assert.match(entry.lastUsedFrom ?? '', /127\.0\.0\.1/);
        },
        { timeoutMs: 5_000, intervalMs: 250 },
      );
      const logs = registry.output();
      for (const secret of [registry.token, ...secrets]) {
        assert.ok(!logs.includes(secret), 'no token in any log line');
      }
      assert.doesNotMatch(logs, /authorization:|Basic [A-Za-z0-9+/]{20,}/i);
    });
  });
}

identitySuite(
  'embedded',
  async (work) => {
    const registry = await startEmbedded(work);
    return { base: registry.base, token: registry.token, output: () => registry.started.output(), stop: async () => (await registry.stop()) === 0 };
  },
  'e',
);

identitySuite(
  'distributed, two replicas of each service behind nginx',
  async (work) => {
    const registry = await startDistributed(root, work);
    return {
      base: registry.base,
      token: registry.token,
      output: () => [...registry.instances.values()].map((started) => started.output()).join('\n'),
      stop: () => registry.stop(),
    };
  },
  // The harness's Postgres and Kafka outlive one registry: fresh names per run.
  randomBytes(3).toString('hex'),
);
