import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Minio from 'minio';
import { ensureDebianPackages, type HarnessContext } from '../context.js';
import type { RunningService, ServiceDefinition } from '../service.js';

/**
 * S3Proxy (Apache-2.0, Maven Central): a real S3 API server over HTTP, here with its jclouds
 * `filesystem` backend. Chosen over MinIO (AGPL, community edition archived) and over Go servers
 * that would have to be compiled on every fresh machine (docs/adr/0005-s3-server-for-tests.md).
 *
 * Maven Central carries the release as one shaded `jar-with-dependencies` (about 55 MB), the
 * classpath upstream builds and tests; resolving the plain jar's dependencies instead lets Maven's
 * "nearest wins" pick a jackson-annotations too old for its jackson-databind.
 */
const S3PROXY_VERSION = '4.1.0';
const ARTIFACT = `org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies`;
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const JAR_NAME = `s3proxy-${S3PROXY_VERSION}-jar-with-dependencies.jar`;
const REGION = 'us-east-1';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

const installDir = (ctx: HarnessContext): string => join(ctx.cacheDir, `s3proxy-${S3PROXY_VERSION}`);
const jarPath = (ctx: HarnessContext): string => join(installDir(ctx), JAR_NAME);
const markerPath = (ctx: HarnessContext): string => join(installDir(ctx), 's3proxy-jar.installed.json');

interface Marker {
  readonly artifact: string;
  readonly bytes: number;
}

function installed(ctx: HarnessContext): boolean {
  try {
    const marker = JSON.parse(readFileSync(markerPath(ctx), 'utf8')) as Marker;
    return marker.artifact === ARTIFACT && statSync(jarPath(ctx)).size === marker.bytes;
  } catch {
    return false;
  }
}

/** Fetches the shaded jar from Maven Central (checksums enforced) into the cache, once. */
async function install(ctx: HarnessContext): Promise<void> {
  if (installed(ctx)) {
    return;
  }
  await ensureDebianPackages(ctx, ['openjdk-17-jre-headless'], ['/usr/bin/java']);
  await ensureDebianPackages(ctx, ['maven'], ['/usr/bin/mvn']);
  ctx.log('s3', `fetching ${ARTIFACT} from Maven Central`);
  mkdirSync(installDir(ctx), { recursive: true });
  // An empty working directory: `dependency:copy` needs no project, and must not pick one up.
  const workDir = mkdtempSync(join(tmpdir(), 'quiver-s3proxy-'));
  try {
    const staging = join(workDir, 'out');
    await ctx.run('mvn', ['-q', '-B', '--strict-checksums', `${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${staging}`], { cwd: workDir });
    const fetched = join(staging, JAR_NAME);
    if (!existsSync(fetched)) {
      throw new Error(`Maven finished but ${JAR_NAME} is not in ${staging}.`);
    }
    const marker: Marker = { artifact: ARTIFACT, bytes: statSync(fetched).size };
    // tmpdir and the cache may be different filesystems: copy next to the target, then rename.
    const partial = `${jarPath(ctx)}.partial`;
    copyFileSync(fetched, partial);
    renameSync(partial, jarPath(ctx));
    writeFileSync(markerPath(ctx), `${JSON.stringify(marker)}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const logbackConfig = `<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d %level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.gaul.s3proxy.Main" level="INFO"/>
  <root level="WARN"><appender-ref ref="OUT"/></root>
</configuration>
`;

async function answers(endpoint: URL, accessKey: string, secretKey: string): Promise<boolean> {
  const client = new Minio.Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: false,
    accessKey,
    secretKey,
    region: REGION,
    retryOptions: { disableRetry: true },
  });
  await client.listBuckets(); // a signed S3 call: the credentials work, not just the port
  return true;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
  };
}

export const s3: ServiceDefinition = {
  name: 's3',

  install,

  async start(ctx): Promise<RunningService> {
    const dir = join(ctx.runDir, 's3');
    const dataDir = join(dir, 'data');
    const javaTmp = join(dir, 'tmp');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(javaTmp, { recursive: true });
    const accessKey = `quiver-${randomBytes(6).toString('hex')}`;
    const secretKey = randomBytes(24).toString('base64url');
    const logbackPath = join(dir, 'logback.xml');
    writeFileSync(logbackPath, logbackConfig);
    const propsPath = join(dir, 's3proxy.properties');

    for (let attempt = 1; ; attempt += 1) {
      const logStart = existsSync(ctx.logPath('s3')) ? statSync(ctx.logPath('s3')).size : 0;
      const port = await ctx.freePort();
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
      writeFileSync(propsPath, `${Object.entries(props).map(([key, value]) => `${key}=${value}`).join('\n')}\n`, { mode: 0o600 });
      const launch = (): ChildProcess =>
        ctx.spawnDaemon('s3', 'java', [
          '-Xmx384m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          `-Djava.io.tmpdir=${javaTmp}`,
          `-Dlogback.configurationFile=${logbackPath}`,
          '-jar',
          jarPath(ctx),
          '--properties',
          propsPath,
        ]);
      let child = launch();
      const pids = [child.pid ?? 0];
      const stop = (): Promise<void> => stopper(child)();
      const endpoint = new URL(`http://127.0.0.1:${port}`);
      const ready = (): Promise<void> => ctx.waitFor('s3', () => answers(endpoint, accessKey, secretKey), { timeoutMs: START_TIMEOUT_MS, child, logName: 's3' });
      try {
        await ready();
      } catch (error) {
        await stop();
        // Another process may have taken the port between freePort() and the JVM's bind.
        const raced = /BindException|Address already in use/.test(readFileSync(ctx.logPath('s3')).subarray(logStart).toString());
        if (raced && attempt < START_ATTEMPTS) {
          ctx.log('s3', `port ${port} was taken, trying another`);
          continue;
        }
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
        pids,
        stop,
        // Same port, credentials and data: the objects stored before are there again.
        restart: async () => {
          child = launch();
          pids.push(child.pid ?? 0);
          await ready();
        },
      };
    }
  },
};
