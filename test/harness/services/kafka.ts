import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { HarnessContext } from '../context.js';
import { resolveMavenClasspath } from '../maven.js';
import type { RunningService, ServiceDefinition } from '../service.js';

/** The broker version the suites prove the adapters against (docs/adr/0003-kafka-version-and-kafkajs.md). */
const KAFKA_VERSION = process.env['QUIVER_KAFKA_VERSION'] ?? '4.3.1';
/**
 * Kafka's POM brings slf4j 1.7 but no logging backend; this binding brings log4j2 with it.
 * Without it the broker logs nothing, and a failed start would be undiagnosable.
 */
const LOG4J_VERSION = '2.25.3';
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

const installDir = (ctx: HarnessContext): string => join(ctx.cacheDir, `kafka-${KAFKA_VERSION}`);
const libsDir = (ctx: HarnessContext): string => join(installDir(ctx), 'libs');
const artifacts = [
  { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: KAFKA_VERSION },
  { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: LOG4J_VERSION },
];

/** INFO for the lines that tell a start from a failure, WARN for the rest (Kafka is chatty). */
const log4jConfig = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
logger.config.name = kafka.server.KafkaConfig
logger.config.level = WARN
`;

function serverProperties(brokerPort: number, controllerPort: number, dataDir: string): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // Dynamic quorum (KIP-853): formatted with --standalone; more brokers can join through this address.
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 3,
    // Production clusters do not auto-create topics either: adapters must call ensureTopics.
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 10,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-' (as Kafka's Uuid.randomUuid). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) {
      return id;
    }
  }
}

async function brokerAnswers(brokers: string): Promise<boolean> {
  const client = new kafkajs.Kafka({
    clientId: 'quiver-harness-probe',
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = client.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export const kafka: ServiceDefinition = {
  name: 'kafka',

  async install(ctx) {
    await resolveMavenClasspath(ctx, 'kafka', libsDir(ctx), artifacts);
  },

  async start(ctx): Promise<RunningService> {
    const dir = join(ctx.runDir, 'kafka');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const brokerPort = await ctx.freePort();
    let controllerPort = await ctx.freePort();
    while (controllerPort === brokerPort) {
      controllerPort = await ctx.freePort();
    }
    const propsPath = join(dir, 'server.properties');
    const log4jPath = join(dir, 'log4j2.properties');
    writeFileSync(propsPath, serverProperties(brokerPort, controllerPort, dataDir));
    writeFileSync(log4jPath, log4jConfig);
    const classpath = `${libsDir(ctx)}/*`; // expanded by the JVM, not a shell
    const jvm = [`-Dlog4j2.configurationFile=${log4jPath}`, '-Djava.awt.headless=true', '-cp', classpath];
    await ctx.run('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propsPath, '--standalone']);

    const brokers = `127.0.0.1:${brokerPort}`;
    const launch = (): ChildProcess => ctx.spawnDaemon('kafka', 'java', ['-Xmx512m', '-Xms256m', ...jvm, 'kafka.Kafka', propsPath]);
    const pids: number[] = [];
    let child = launch();
    pids.push(child.pid ?? 0);
    const exited = (process: ChildProcess): Promise<unknown> =>
      process.exitCode !== null || process.signalCode !== null ? Promise.resolve() : new Promise((resolve) => process.once('exit', resolve));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const gone = exited(child);
      child.kill('SIGTERM'); // controlled shutdown
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
    };
    const ready = (): Promise<void> => ctx.waitFor('kafka', () => brokerAnswers(brokers), { timeoutMs: START_TIMEOUT_MS, child, logName: 'kafka' });
    try {
      await ready();
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      name: 'kafka',
      env: { QUIVER_TEST_KAFKA_BROKERS: brokers },
      pids,
      stop,
      kill: async () => {
        const gone = exited(child);
        child.kill('SIGKILL');
        await gone;
      },
      restart: async () => {
        child = launch();
        pids.push(child.pid ?? 0);
        await ready();
      },
    };
  },
};
