/**
 * Access facts at every door (ADR 0018), read from the journal file of a real embedded registry
 * after real requests: one fact per thing, with the actor, token id, client address and outcome it
 * had, written before the answer went out, and never a secret. (The audit log reads the same facts
 * from the bus; its own suites cover that path.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCESS_FACTS_TOPIC, decodeAccessFacts } from '@quiver/shared-contracts-identity';
import { KafkaEventBus } from '@quiver/shared-data-access-bus';
import { eventually, requireEnv } from '@quiver/shared-testing';
import { distributionFields, startEmbedded, upload, type EmbeddedRegistry } from './support/bad-input.js';
import { startDistributed, type DistributedRegistry } from './support/distributed.js';
import { grant, issueToken, type Issued } from './support/access.js';
import { basicToken, publishWheel } from './support/publish.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface Fact {
  readonly id: string;
  readonly service: string;
  readonly action: string;
  readonly outcome: string;
  readonly actor: string;
  readonly tokenId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly project: string | null;
  readonly version: string | null;
  readonly filename: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  readonly details: Record<string, unknown>;
}

describe('access facts journaled at every door (embedded)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-facts-'));
  let registry: EmbeddedRegistry;
  let alice: Issued;
  let bob: Issued;
  let emergency: Issued & { kind?: string };
  let wheel: { filename: string; sha256: string };
  const journalDir = (): string => join(registry.dataDir, 'journal');
  const journalText = (): string =>
    readdirSync(journalDir())
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => readFileSync(join(journalDir(), name), 'utf8'))
      .join('');
  const facts = (): Fact[] =>
    journalText()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Fact);
  /** The facts of requests sent with this user agent. */
  const factsOf = (userAgent: string): Fact[] => facts().filter((fact) => fact.userAgent === userAgent);
  const get = (path: string, userAgent: string, authorization?: string, method = 'GET'): Promise<Response> =>
    fetch(`${registry.base}${path}`, { method, headers: { 'user-agent': userAgent, ...(authorization ? { authorization } : {}) } });

  before(async () => {
    registry = await startEmbedded(work, { QUIVER_PAGE_READS_SECONDS: '1' });
    const published = await publishWheel(registry.base, registry.auth, 'facts-demo', '1.0');
    assert.equal(published.response.status, 200, await published.response.text());
    wheel = published;
    alice = await issueToken(registry, 'facts-alice', 'reads');
    await grant(registry, 'facts-alice', 'reader', 'facts-demo');
    bob = await issueToken(registry, 'facts-bob', 'no grants');
    const response = await fetch(`${registry.base}/api/auth/principals/facts-alice/tokens`, {
      method: 'POST',
      headers: { authorization: registry.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'emergency', reason: 'incident 42', description: 'break glass' }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    emergency = (await response.json()) as Issued;
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  it('records the upload, the token issues and the grant, each once, with the admin as actor', () => {
    const all = facts();
    const uploads = all.filter((fact) => fact.action === 'package.upload' && fact.filename === wheel.filename);
    assert.equal(uploads.length, 1);
    assert.deepEqual(
      { service: uploads[0]?.service, outcome: uploads[0]?.outcome, project: uploads[0]?.project, version: uploads[0]?.version, status: uploads[0]?.status, sha256: uploads[0]?.details['sha256'] },
      { service: 'upload', outcome: 'success', project: 'facts-demo', version: '1.0', status: 200, sha256: wheel.sha256 },
    );
    assert.ok(Number(uploads[0]?.details['bytes']) > 0);
    const issued = all.filter((fact) => fact.action === 'token.create');
    assert.deepEqual(issued.map((fact) => [fact.details['token'], fact.details['principal'], fact.details['kind'], fact.outcome, fact.actor]), [
      [alice.id, 'facts-alice', 'personal', 'success', 'admin'],
      [bob.id, 'facts-bob', 'personal', 'success', 'admin'],
      [emergency.id, 'facts-alice', 'emergency', 'success', 'admin'],
    ]);
    assert.ok(issued.every((fact) => typeof fact.details['expiresAt'] === 'string'));
    const grants = all.filter((fact) => fact.action === 'grant.add');
    assert.deepEqual(grants.map((fact) => [fact.details['principal'], fact.details['role'], fact.details['pattern'], fact.status]), [['facts-alice', 'reader', 'facts-demo', 204]]);
  });

  it('records a GET download with the token, address and agent, and nothing for HEAD', async () => {
    const path = `/files/${wheel.sha256}/${wheel.filename}`;
    assert.equal((await get(path, 'facts-head', basicToken(alice.token), 'HEAD')).status, 200);
    const response = await get(path, 'facts-get', basicToken(alice.token));
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const ranged = await fetch(`${registry.base}${path}`, { headers: { 'user-agent': 'facts-range', authorization: basicToken(alice.token), range: 'bytes=0-9' } });
    assert.equal(ranged.status, 206);
    await ranged.arrayBuffer();
    assert.deepEqual(factsOf('facts-head'), []);
    const [download, ...more] = factsOf('facts-get');
    assert.deepEqual(more, []);
    assert.deepEqual(
      download && [download.service, download.action, download.outcome, download.actor, download.tokenId, download.clientAddress, download.project, download.version, download.filename, download.status],
      ['index', 'file.download', 'success', 'facts-alice', alice.id, '127.0.0.1', 'facts-demo', '1.0', wheel.filename, 200],
    );
    assert.deepEqual(factsOf('facts-range').map((fact) => [fact.action, fact.status]), [['file.download', 206]]);
  });

  it('records a .metadata download as metadata.download', async () => {
    const response = await get(`/files/${wheel.sha256}/${wheel.filename}.metadata`, 'facts-metadata', basicToken(alice.token));
    assert.equal(response.status, 200, await response.text());
    assert.deepEqual(factsOf('facts-metadata').map((fact) => [fact.action, fact.filename, fact.tokenId]), [['metadata.download', wheel.filename, alice.id]]);
  });

  it('counts project pages and JSON reads as one pages.read fact per interval', async () => {
    const paths = ['/simple/facts-demo/', '/simple/facts-demo/', '/pypi/facts-demo/json', '/simple/facts-demo/', '/pypi/facts-demo/json', '/simple/facts-demo/'];
    for (const path of paths) {
      const response = await get(path, 'facts-pages', basicToken(alice.token));
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    // The reads may straddle one of the registry's 1 s interval boundaries: then two facts share the count.
    const total = (facts: readonly Fact[]): number => facts.reduce((sum, fact) => sum + Number(fact.details['count']), 0);
    const counted = await eventually(
      () => {
        const found = factsOf('facts-pages');
        return total(found) === paths.length ? found : false;
      },
      { what: 'the page reads counted' },
    );
    assert.deepEqual(
      counted.map((fact) => [fact.action, fact.project, fact.actor, fact.tokenId]),
      counted.map(() => ['pages.read', 'facts-demo', 'facts-alice', alice.id]),
    );
    assert.ok(counted.length <= 2, `counted per interval, not logged one by one: ${counted.length} facts for ${paths.length} reads`);
  });

  it('gives each 401 and 403 exactly one auth.denied, naming who tried and why', async () => {
    assert.equal((await get('/simple/facts-demo/', 'facts-none')).status, 401);
    assert.equal((await get('/simple/facts-demo/', 'facts-bad', basicToken(`${alice.token}x`))).status, 401);
    const forbidden = await upload({ base: registry.base, auth: basicToken(bob.token) }, distributionFields({ name: 'x-1.0.tar.gz', bytes: Buffer.from('x') }, { name: 'facts-demo' }), undefined, { 'user-agent': 'facts-403' });
    assert.equal(forbidden.status, 403);
    const denials = (agent: string): unknown[] => factsOf(agent).map((fact) => [fact.action, fact.outcome, fact.actor, fact.tokenId, fact.status, fact.reason, fact.details['attempted'] ?? null]);
    // Refused by the guard, before the handler said what the request was about.
    assert.deepEqual(denials('facts-none'), [['auth.denied', 'denied', 'anonymous', null, 401, 'unauthenticated', null]]);
    assert.deepEqual(denials('facts-bad'), [['auth.denied', 'denied', 'anonymous', null, 401, 'invalid-token', null]]);
    assert.deepEqual(denials('facts-403'), [['auth.denied', 'denied', 'facts-bob', bob.id, 403, 'forbidden', 'package.upload']]);
  });

  it('records a refused upload once, with its machine-readable reason and nothing else for the request', async () => {
    const refused = await upload({ base: registry.base, auth: registry.auth }, { ':action': 'file_upload', protocol_version: '1', name: 'facts-demo', version: '1.0' }, undefined, { 'user-agent': 'facts-refused' });
    assert.equal(refused.status, 400);
    assert.deepEqual(factsOf('facts-refused').map((fact) => [fact.action, fact.outcome, fact.actor, fact.project, fact.status, fact.reason]), [['package.upload', 'refused', 'admin', 'facts-demo', 400, 'invalid-metadata']]);
  });

  it('records yank and a failed sign-in (the name tried, never the password)', async () => {
    const yank = await fetch(`${registry.base}/api/packages/facts-demo/releases/1.0/yank`, {
      method: 'POST',
      headers: { authorization: registry.auth, 'content-type': 'application/json', 'user-agent': 'facts-yank' },
      body: JSON.stringify({ reason: 'broken' }),
    });
    assert.equal(yank.status, 200, await yank.text());
    assert.deepEqual(factsOf('facts-yank').map((fact) => [fact.action, fact.outcome, fact.project, fact.version, fact.details['reason']]), [['package.yank', 'success', 'facts-demo', '1.0', 'broken']]);
    const password = 'hunter2-never-journaled';
    const login = await fetch(`${registry.base}/api/auth/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`mallory:${password}`).toString('base64')}`, 'user-agent': 'facts-login' } });
    assert.equal(login.status, 401);
    assert.deepEqual(factsOf('facts-login').map((fact) => [fact.service, fact.action, fact.outcome, fact.actor, fact.status]), [['auth', 'auth.login', 'denied', 'mallory', 401]]);
    const text = journalText();
    for (const secret of [password, registry.token, alice.token, bob.token, emergency.token]) {
      assert.ok(!text.includes(secret), 'no secret in the journal');
    }
  });

  it('records token.use for every request an emergency token authenticates', async () => {
    for (let i = 0; i < 2; i += 1) {
      const response = await get(`/simple/facts-demo/`, 'facts-emergency', basicToken(emergency.token));
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    const uses = facts().filter((fact) => fact.action === 'token.use');
    assert.deepEqual(uses.map((fact) => [fact.service, fact.actor, fact.tokenId, fact.clientAddress, fact.details['kind']]), [
      ['index', 'facts-alice', emergency.id, '127.0.0.1', 'emergency'],
      ['index', 'facts-alice', emergency.id, '127.0.0.1', 'emergency'],
    ]);
  });
});

describe('access facts of index replicas killed with SIGKILL right after answering (distributed)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-facts-kill-'));
  let registry: DistributedRegistry;

  before(async () => {
    registry = await startDistributed(root, work);
  });

  after(async () => {
    await registry.stop(); // the killed replicas do not exit cleanly, by design
    rmSync(work, { recursive: true, force: true });
  });

  it('publishes on the access topic every download they answered, once the journal directory is opened again', async () => {
    const run = randomBytes(4).toString('hex');
    const project = `facts-kill-${run}`;
    const published = await publishWheel(registry.base, basicToken(registry.token), project, '1.0');
    assert.equal(published.response.status, 200, await published.response.text());
    const agent = `facts-kill-${run}`;
    const count = 60;
    for (let i = 0; i < count; i += 1) {
      const response = await fetch(`${registry.base}/files/${published.sha256}/${published.filename}`, { headers: { authorization: basicToken(registry.token), 'user-agent': agent } });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    // Every index replica dies at once, right after its last answer: nothing had a chance to be flushed on shutdown.
    const replicas = [...registry.instances].filter(([name]) => name.startsWith('index-')).map(([, started]) => started.child);
    await Promise.all(replicas.map((child) => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    })));
    await registry.startExtra('index'); // the replacement opens the same journal directory

    const bus = new KafkaEventBus({ brokers: requireEnv('QUIVER_TEST_KAFKA_BROKERS').split(','), clientId: `facts-kill-${run}` });
    const seen = new Map<string, number>();
    const subscription = await bus.subscribe({
      group: `facts-kill-${run}`,
      topics: [ACCESS_FACTS_TOPIC],
      fromBeginning: true,
      handle: (message) => {
        for (const fact of decodeAccessFacts(message.value)) {
          if (fact.type === 'AccessRecorded' && fact.userAgent === agent) {
            assert.deepEqual([fact.service, fact.action, fact.outcome, fact.project, fact.status], ['index', 'file.download', 'success', project, 200]);
            seen.set(fact.id, (seen.get(fact.id) ?? 0) + 1);
          }
        }
        return Promise.resolve();
      },
    });
    try {
      await eventually(() => seen.size === count, { timeoutMs: 60_000, what: `all ${count} answered downloads on the topic` });
    } finally {
      await subscription.stop();
      await bus.close();
    }
  });
});
