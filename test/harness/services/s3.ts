import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Minio from 'minio';
import type { HarnessContext } from '../context.js';
import { resolveMavenClasspath } from '../maven.js';
import type { RunningService, ServiceDefinition } from '../service.js';

/**
 * S3Proxy (Apache-2.0, Maven Central): a real S3 API server over HTTP, here with its filesystem
 * backend. Chosen over MinIO (AGPL, community edition archived) and over Go servers that would
 * have to be compiled on every fresh machine (docs/adr/0005-s3-server-for-tests.md).
 */
const S3PROXY_VERSION = '4.1.0';
const artifacts = [
  { groupId: 'org.gaul', artifactId: 's3proxy', version: S3PROXY_VERSION },
  // s3proxy 4.1.0 pulls jackson-databind 3.x, whose annotations (2.22) lose to an older 2.18 in Maven's "nearest wins".
  { groupId: 'com.fasterxml.jackson.core', artifactId: 'jackson-annotations', version: '2.22' },
];
const REGION = 'us-east-1';

const libsDir = (ctx: HarnessContext): string => join(ctx.cacheDir, `s3proxy-${S3PROXY_VERSION}`, 'libs');

const logbackConfig = `<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d %level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.gaul.s3proxy.Main" level="INFO"/>
  <root level="WARN"><appender-ref ref="OUT"/></root>
</configuration>
`;

async function answers(endpoint: URL, accessKey: string, secretKey: string): Promise<boolean> {
  const client = new Minio.Client({ endPoint: endpoint.hostname, port: Number(endpoint.port), useSSL: false, accessKey, secretKey, region: REGION });
  await client.listBuckets();
  return true;
}

export const s3: ServiceDefinition = {
  name: 's3',

  install: (ctx) => resolveMavenClasspath(ctx, 's3proxy', libsDir(ctx), artifacts),

  async start(ctx): Promise<RunningService> {
    const dir = join(ctx.runDir, 's3');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const port = await ctx.freePort();
    const accessKey = `quiver-${randomBytes(6).toString('hex')}`;
    const secretKey = randomBytes(24).toString('base64url');
    const props = {
      's3proxy.endpoint': `http://127.0.0.1:${port}`,
      's3proxy.authorization': 'aws-v2-or-v4',
      's3proxy.identity': accessKey,
      's3proxy.credential': secretKey,
      'jclouds.provider': 'filesystem',
      'jclouds.identity': accessKey,
      'jclouds.credential': secretKey,
      'jclouds.filesystem.basedir': dataDir,
    };
    const propsPath = join(dir, 's3proxy.properties');
    writeFileSync(propsPath, `${Object.entries(props).map(([key, value]) => `${key}=${value}`).join('\n')}\n`, { mode: 0o600 });
    const logbackPath = join(dir, 'logback.xml');
    writeFileSync(logbackPath, logbackConfig);
    const child = ctx.spawnDaemon('s3', 'java', [
      '-Xmx384m',
      `-Dlogback.configurationFile=${logbackPath}`,
      '-cp',
      `${libsDir(ctx)}/*`,
      'org.gaul.s3proxy.Main',
      '--properties',
      propsPath,
    ]);
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    };
    const endpoint = new URL(`http://127.0.0.1:${port}`);
    try {
      await ctx.waitFor('s3', () => answers(endpoint, accessKey, secretKey), { timeoutMs: 60_000, child, logName: 's3' });
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      name: 's3',
      env: {
        QUIVER_TEST_S3_ENDPOINT: endpoint.origin,
        QUIVER_TEST_S3_ACCESS_KEY: accessKey,
        QUIVER_TEST_S3_SECRET_KEY: secretKey,
        QUIVER_TEST_S3_REGION: REGION,
      },
      pids: [child.pid ?? 0],
      stop,
    };
  },
};
