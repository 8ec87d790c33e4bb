import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { S3BlobStore } from '@quiver/shared-data-access-blob';
import { requireEnv } from '@quiver/shared-testing';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import { listTree } from './bad-input.js';
import { exited, freePort, startProcess, stopProcess, waitForHttp, type Started } from './process.js';

const SERVICES = ['index', 'upload', 'auth', 'audit'] as const;
export type Service = (typeof SERVICES)[number];

export interface DistributedRegistry {
  /** The front door every client uses. */
  readonly base: string;
  readonly token: string;
  readonly instances: ReadonlyMap<string, Started>;
  /**
   * Starts one more instance of `service` on the same stores, outside the front door (clients
   * reach it at the returned base URL), with `env` on top of the shared settings. `stop()` stops
   * it too; it is not in `instances`.
   */
  startExtra(service: Service, env?: Record<string, string>): Promise<{ readonly base: string; readonly started: Started }>;
  /** The address of one instance (`index-1`), behind the front door. */
  urlOf(name: string): string;
  /** Kills an instance with SIGKILL (no shutdown at all) and waits until it is gone. */
  kill(name: string): Promise<void>;
  /** Starts a stopped or killed instance again, on its port and with its settings, and waits until it is healthy. */
  restart(name: string): Promise<void>;
  /** Stops every process; resolves with whether each exited cleanly (code 0). */
  stop(): Promise<boolean>;
  /** This registry's bucket (QUIVER_S3_BUCKET). */
  readonly bucket: string;
  /** How many objects the bucket holds (files, metadata files), read from S3. */
  countObjects(): Promise<number>;
  /** What is left below the upload replicas' temp directories (each replica has its own QUIVER_TEMP_DIR). */
  uploadLeftovers(): string[];
}

/** Paths to services, as the Kubernetes Ingress routes them (deploy/k8s/base/ingress.yaml). */
const ROUTES: readonly [string, Service][] = [
  ['/simple', 'index'],
  ['/files', 'index'],
  ['/pypi', 'index'],
  ['/-/index/', 'index'],
  ['/legacy', 'upload'],
  ['/api/packages/', 'upload'],
  ['/api/maintenance/', 'upload'],
  ['/-/upload/', 'upload'],
  ['/api/auth/', 'auth'],
  ['/-/auth/', 'auth'],
  ['/api/audit', 'audit'],
  ['/-/audit/', 'audit'],
];

function nginxConfig(dir: string, port: number, upstreams: Record<Service, number[]>): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  client_max_body_size 1100m;
  proxy_request_buffering off;
  proxy_http_version 1.1;
  proxy_read_timeout 300s;
  # nginx closes a client connection after 1,000 requests by default; load tests reuse theirs for longer.
  keepalive_requests 100000;
${SERVICES.map((service) => `  upstream ${service} { ${upstreams[service].map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 16; }`).join('\n')}
  server {
    listen 127.0.0.1:${port};
${ROUTES.map(([path, service]) => `    location ${path} { proxy_pass http://${service}; proxy_set_header Host $http_host; proxy_set_header Connection ""; }`).join('\n')}
  }
}
`;
}

/** A registry's existing bucket on the harness's S3 server, to read or change objects out of band. */
export const openBucket = (bucket: string): Promise<S3BlobStore> =>
  S3BlobStore.open({
    endpoint: requireEnv('QUIVER_TEST_S3_ENDPOINT'),
    accessKey: requireEnv('QUIVER_TEST_S3_ACCESS_KEY'),
    secretKey: requireEnv('QUIVER_TEST_S3_SECRET_KEY'),
    region: process.env['QUIVER_TEST_S3_REGION'] ?? 'us-east-1',
    bucket,
    createBucket: false,
  });

/** The settings every distributed service needs, pointing at the harness's real services. */
export const distributedEnv = (): Record<string, string> => ({
  QUIVER_MODE: 'distributed',
  QUIVER_DATABASE_URL: requireEnv('QUIVER_TEST_PG_URL'),
  QUIVER_KAFKA_BROKERS: requireEnv('QUIVER_TEST_KAFKA_BROKERS'),
  QUIVER_S3_ENDPOINT: requireEnv('QUIVER_TEST_S3_ENDPOINT'),
  QUIVER_S3_ACCESS_KEY: requireEnv('QUIVER_TEST_S3_ACCESS_KEY'),
  QUIVER_S3_SECRET_KEY: requireEnv('QUIVER_TEST_S3_SECRET_KEY'),
});

/**
 * Quiver as it runs in production, on one machine: every service twice, against the harness's
 * Postgres, Kafka and S3, behind nginx routing paths like the Ingress.
 */
export async function startDistributed(root: string, workDir: string, replicas = 2, overrides: Record<string, string> = {}): Promise<DistributedRegistry> {
  const token = generateApiToken();
  const frontPort = await freePort();
  const base = `http://127.0.0.1:${frontPort}`;
  const shared = {
    ...distributedEnv(),
    QUIVER_S3_BUCKET: `quiver-${randomBytes(4).toString('hex')}`,
    QUIVER_ADMIN_TOKEN_SHA256: hashApiToken(token),
    QUIVER_INDEX_URL: base,
    QUIVER_UPLOAD_URL: base,
    QUIVER_AUTH_URL: base,
    QUIVER_LOG_LEVEL: 'warn',
    // Suites create many projects with one token; the rate limit has its own suite (upload-policy).
    QUIVER_NEW_PROJECTS_PER_HOUR: '0',
    // This registry's access-fact journals (every replica of every service; each file is locked by its
    // process), not the machine's default, which earlier runs against other brokers may have left facts in.
    QUIVER_JOURNAL_DIR: join(workDir, 'journal'),
    ...overrides,
  };
  const tempRoot = join(workDir, 'upload-tmp');
  const instances = new Map<string, Started>();
  const launched = new Map<string, { readonly service: Service; readonly port: number; readonly env: Record<string, string> }>();
  const extras: Started[] = [];
  const upstreams = { index: [], upload: [], auth: [], audit: [] } as Record<Service, number[]>;
  const stop = async (): Promise<boolean> => {
    await Promise.all(extras.map((extra) => stopProcess(extra)));
    const codes = await Promise.all([...instances.values()].map((instance) => stopProcess(instance)));
    return codes.every((code) => code === 0);
  };
  const startExtra = async (service: Service, env: Record<string, string> = {}): Promise<{ base: string; started: Started }> => {
    const port = await freePort();
    const started = startProcess(process.execPath, [`apps/${service}/dist/main.js`], { ...shared, QUIVER_PORT: String(port), QUIVER_KAFKA_CLIENT_ID: `${service}-extra-${extras.length + 1}`, ...env }, root);
    extras.push(started);
    await waitForHttp(`http://127.0.0.1:${port}/-/${service}/health`, started);
    return { base: `http://127.0.0.1:${port}`, started };
  };
  try {
    // The index first: it creates the topic and its projection group before uploads arrive.
    for (const service of SERVICES) {
      for (let replica = 1; replica <= replicas; replica += 1) {
        const port = await freePort();
        const tempDir = join(tempRoot, `${service}-${replica}`);
        mkdirSync(tempDir, { recursive: true, mode: 0o700 });
        const env = { ...shared, QUIVER_PORT: String(port), QUIVER_KAFKA_CLIENT_ID: `${service}-${replica}`, QUIVER_TEMP_DIR: tempDir };
        const started = startProcess(process.execPath, [`apps/${service}/dist/main.js`], env, root);
        instances.set(`${service}-${replica}`, started);
        launched.set(`${service}-${replica}`, { service, port, env });
        upstreams[service].push(port);
        await waitForHttp(`http://127.0.0.1:${port}/-/${service}/health`, started);
      }
    }
    const dir = join(workDir, 'nginx');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, frontPort, upstreams));
    const front = startProcess(requireEnv('QUIVER_TEST_NGINX_BIN'), ['-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], {}, dir);
    instances.set('nginx', front);
    await waitForHttp(`${base}/-/index/health`, front);
  } catch (error) {
    await stop();
    throw error;
  }
  const launchOf = (name: string): { readonly service: Service; readonly port: number; readonly env: Record<string, string> } => {
    const launch = launched.get(name);
    if (!launch) {
      throw new Error(`no instance ${name}`);
    }
    return launch;
  };
  const urlOf = (name: string): string => `http://127.0.0.1:${launchOf(name).port}`;
  const kill = async (name: string): Promise<void> => {
    const started = instances.get(name);
    if (started && !exited(started)) {
      const gone = once(started.child, 'exit');
      started.child.kill('SIGKILL');
      await gone;
    }
  };
  const restart = async (name: string): Promise<void> => {
    const { service, env } = launchOf(name);
    const started = startProcess(process.execPath, [`apps/${service}/dist/main.js`], env, root);
    instances.set(name, started);
    await waitForHttp(`${urlOf(name)}/-/${service}/health`, started);
  };
  const bucket = shared.QUIVER_S3_BUCKET;
  const countObjects = async (): Promise<number> => {
    const objects = await openBucket(bucket);
    try {
      let count = 0;
      for await (const stored of objects.list('')) {
        count += stored.key === '' ? 0 : 1;
      }
      return count;
    } finally {
      await objects.close();
    }
  };
  // The replicas' own directories (created by each at start) are expected; anything below them is left over.
  const uploadLeftovers = (): string[] => listTree(tempRoot).filter((path) => path.includes('/'));
  return { base, token, instances, startExtra, urlOf, kill, restart, stop, bucket, countObjects, uploadLeftovers };
}
