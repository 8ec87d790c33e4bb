import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const defaults = { serviceName: 'index', mode: 'embedded' } as const;

describe('loadConfig', () => {
  it('gives a newcomer a working embedded configuration with no settings at all', () => {
    const config = loadConfig({}, defaults);
    assert.equal(config.mode, 'embedded');
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080 });
    assert.equal(config.dataDir, './.quiver');
    assert.equal(config.telemetry.otlpEndpoint, undefined);
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
