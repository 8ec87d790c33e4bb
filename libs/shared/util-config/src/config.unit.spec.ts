import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const defaults = { serviceName: 'index', mode: 'embedded' } as const;

describe('loadConfig', () => {
  it('gives a newcomer a working embedded configuration with no settings at all', () => {
    const config = loadConfig({}, defaults);
    assert.equal(config.mode, 'embedded');
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080, bodyIdleMs: 60_000, bodyTimeoutMs: 3_600_000, trustedProxies: [] });
    assert.equal(config.dataDir, './.quiver');
    assert.equal(config.telemetry.otlpEndpoint, undefined);
    assert.equal(config.upload.projectQuotaBytes, 10 * 1024 ** 3);
    assert.equal(config.upload.newProjectsPerHour, 20);
    assert.deepEqual(config.upload.prohibitedProjectNames, []);
  });

  it('journals access facts under the data directory when embedded, in a per-service temp directory when distributed, or where QUIVER_JOURNAL_DIR says', () => {
    assert.equal(loadConfig({ QUIVER_DATA_DIR: '/srv/quiver' }, defaults).journalDir, join('/srv/quiver', 'journal'));
    const distributed = { QUIVER_DATABASE_URL: 'postgres://db/q', QUIVER_KAFKA_BROKERS: 'k:9092', QUIVER_S3_ENDPOINT: 'http://s3', QUIVER_S3_ACCESS_KEY: 'a', QUIVER_S3_SECRET_KEY: 'b' };
    assert.equal(loadConfig(distributed, { serviceName: 'upload', mode: 'distributed' }).journalDir, join(tmpdir(), 'quiver-journal-upload'));
    assert.equal(loadConfig({ ...distributed, QUIVER_JOURNAL_DIR: '/var/lib/quiver/journal' }, { serviceName: 'index', mode: 'distributed' }).journalDir, '/var/lib/quiver/journal');
  });

  it('reads the request body time bounds and refuses zero or nonsense', () => {
    const config = loadConfig({ QUIVER_BODY_IDLE_SECONDS: '5', QUIVER_BODY_TIMEOUT_SECONDS: '90' }, defaults);
    assert.equal(config.http.bodyIdleMs, 5000);
    assert.equal(config.http.bodyTimeoutMs, 90_000);
    assert.throws(
      () => loadConfig({ QUIVER_BODY_IDLE_SECONDS: '0', QUIVER_BODY_TIMEOUT_SECONDS: '1h' }, defaults),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2 && /QUIVER_BODY_IDLE_SECONDS must be at least 1 second/.test(error.message),
    );
  });

  it('reads the trusted proxies as addresses and ranges, and refuses anything else', () => {
    assert.deepEqual(loadConfig({ QUIVER_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1 ,::1' }, defaults).http.trustedProxies, ['10.0.0.0/8', '127.0.0.1', '::1']);
    assert.throws(() => loadConfig({ QUIVER_TRUSTED_PROXIES: '10.0.0/8' }, defaults), /QUIVER_TRUSTED_PROXIES must be a comma-separated list/);
    assert.throws(() => loadConfig({ QUIVER_TRUSTED_PROXIES: 'proxy.local' }, defaults), /not one: 'proxy.local'/);
  });

  it('reads the upload policy settings and refuses nonsense in them', () => {
    const config = loadConfig({ QUIVER_PROJECT_QUOTA_BYTES: '5000', QUIVER_NEW_PROJECTS_PER_HOUR: '0', QUIVER_PROHIBITED_PROJECT_NAMES: ' internal , Secret.Thing ' }, defaults);
    assert.equal(config.upload.projectQuotaBytes, 5000);
    assert.equal(config.upload.newProjectsPerHour, 0);
    assert.deepEqual(config.upload.prohibitedProjectNames, ['internal', 'Secret.Thing']);
    assert.equal(config.upload.disallowNewProjects, false);
    assert.equal(loadConfig({ QUIVER_DISALLOW_NEW_PROJECTS: 'TRUE' }, defaults).upload.disallowNewProjects, true);
    assert.equal(loadConfig({ QUIVER_DISALLOW_NEW_PROJECTS: 'false' }, defaults).upload.disallowNewProjects, false);
    assert.throws(
      () => loadConfig({ QUIVER_PROJECT_QUOTA_BYTES: '0', QUIVER_NEW_PROJECTS_PER_HOUR: '-1', QUIVER_PROHIBITED_PROJECT_NAMES: 'ok, not/ok', QUIVER_DISALLOW_NEW_PROJECTS: 'yes' }, defaults),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 4 && error.problems.includes('QUIVER_DISALLOW_NEW_PROJECTS must be true or false.'),
    );
  });

  it('reads the documentation URL messages link to, and refuses one that is not a URL', () => {
    assert.equal(loadConfig({}, defaults).docsUrl, undefined);
    assert.equal(loadConfig({ QUIVER_DOCS_URL: 'https://git.example.test/quiver/docs' }, defaults).docsUrl, 'https://git.example.test/quiver/docs');
    assert.throws(() => loadConfig({ QUIVER_DOCS_URL: 'docs' }, defaults), (error: unknown) => error instanceof ConfigError && /QUIVER_DOCS_URL must be a URL/.test(error.message));
  });

  it('reads the blob maintenance settings and the test-only fault point', () => {
    const config = loadConfig({}, defaults);
    assert.deepEqual(config.maintenance, { orphanGraceSeconds: 3600, gcIntervalSeconds: 3600 });
    assert.equal(config.faultPoint, undefined);
    const set = loadConfig({ QUIVER_ORPHAN_GRACE_SECONDS: '7200', QUIVER_GC_INTERVAL_SECONDS: '0', QUIVER_FAULT_POINT: 'after_blob_put' }, defaults);
    assert.deepEqual(set.maintenance, { orphanGraceSeconds: 7200, gcIntervalSeconds: 0 });
    assert.equal(set.faultPoint, 'after_blob_put');
    assert.throws(
      () => loadConfig({ QUIVER_ORPHAN_GRACE_SECONDS: '5', QUIVER_GC_INTERVAL_SECONDS: 'soon', QUIVER_FAULT_POINT: 'somewhere' }, defaults),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 3 && /QUIVER_ORPHAN_GRACE_SECONDS must be at least 60/.test(error.message),
    );
  });

  it('reads the audit retention in days, keeping everything when unset', () => {
    assert.deepEqual(loadConfig({}, defaults).audit, {});
    assert.deepEqual(loadConfig({ QUIVER_AUDIT_RETENTION_DAYS: '400' }, defaults).audit, { retentionDays: 400 });
    assert.deepEqual(loadConfig({ QUIVER_AUDIT_FAULT_POINT: 'after_append' }, defaults).audit, { faultPoint: 'after_append' });
    assert.throws(() => loadConfig({ QUIVER_AUDIT_FAULT_POINT: 'anywhere' }, defaults), /QUIVER_AUDIT_FAULT_POINT must be one of after_append/);
    for (const bad of ['0', '7d', '-1', '40000']) {
      assert.throws(
        () => loadConfig({ QUIVER_AUDIT_RETENTION_DAYS: bad }, defaults),
        (error: unknown) => error instanceof ConfigError && error.problems.length === 1 && /QUIVER_AUDIT_RETENTION_DAYS must be a whole number/.test(error.message),
        bad,
      );
    }
  });

  it('reads the index cache budgets, where 0 turns a cache off', () => {
    assert.deepEqual(loadConfig({}, defaults).index, { fileCacheBytes: 64 * 1024 ** 2, pageCacheBytes: 128 * 1024 ** 2, pageReadsIntervalMs: 60_000 });
    assert.deepEqual(loadConfig({ QUIVER_FILE_CACHE_BYTES: '0', QUIVER_PAGE_CACHE_BYTES: '1048576', QUIVER_PAGE_READS_SECONDS: '5' }, defaults).index, {
      fileCacheBytes: 0,
      pageCacheBytes: 1024 ** 2,
      pageReadsIntervalMs: 5000,
    });
    assert.throws(
      () => loadConfig({ QUIVER_PAGE_CACHE_BYTES: '128MiB' }, defaults),
      (error: unknown) => error instanceof ConfigError && /QUIVER_PAGE_CACHE_BYTES must be a whole number/.test(error.message),
    );
  });

  it("reads the embedded databases' buffer pool size, 16 MiB each unless set", () => {
    assert.deepEqual(loadConfig({}, defaults).embedded, { databaseBuffersBytes: 16 * 1024 ** 2 });
    assert.deepEqual(loadConfig({ QUIVER_EMBEDDED_DB_BUFFERS_BYTES: '134217728' }, defaults).embedded, { databaseBuffersBytes: 128 * 1024 ** 2 });
    assert.throws(
      () => loadConfig({ QUIVER_EMBEDDED_DB_BUFFERS_BYTES: '0' }, defaults),
      (error: unknown) => error instanceof ConfigError && /QUIVER_EMBEDDED_DB_BUFFERS_BYTES must be a whole number of bytes/.test(error.message),
    );
  });

  it('lists every problem at once and never echoes a URL that may hold a password', () => {
    const error = (() => {
      try {
        loadConfig({ QUIVER_PORT: '70000', QUIVER_LOG_LEVEL: 'loud', QUIVER_DATABASE_URL: 'postgres://u:s3cret@ bad' }, defaults);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 3);
    assert.doesNotMatch(error.message, /s3cret/);
  });

  it('requires the real dependencies in distributed mode', () => {
    assert.throws(() => loadConfig({ QUIVER_MODE: 'distributed' }, defaults), /QUIVER_DATABASE_URL is required/);
    const config = loadConfig(
      {
        QUIVER_MODE: 'distributed',
        QUIVER_DATABASE_URL: 'postgres://quiver@db:5432/quiver',
        QUIVER_KAFKA_BROKERS: 'k1:9092, k2:9092',
        QUIVER_S3_ENDPOINT: 'http://s3:9000',
        QUIVER_S3_ACCESS_KEY: 'a',
        QUIVER_S3_SECRET_KEY: 'b',
      },
      defaults,
    );
    assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9092']);
  });
});
