import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDebianPackages, isRoot, type HarnessContext } from '../context.js';
import type { RunningService, ServiceDefinition } from '../service.js';

/** Debian's server binaries, newest installed major first. */
function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) {
    return undefined;
  }
  const majors = readdirSync(base)
    .filter((name) => existsSync(join(base, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(base, majors[0], 'bin');
}

/** Postgres refuses to run as root: as root we run it as the `postgres` system user. */
async function serverUser(ctx: HarnessContext): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot()) {
    return undefined;
  }
  const [uid, gid] = await Promise.all([ctx.run('id', ['-u', 'postgres']), ctx.run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgres: ServiceDefinition = {
  name: 'postgres',

  async install(ctx) {
    if (!postgresBinDir()) {
      await ensureDebianPackages(ctx, ['postgresql'], ['/usr/lib/postgresql']);
    }
  },

  async start(ctx): Promise<RunningService> {
    const bin = postgresBinDir();
    if (!bin) {
      throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql.');
    }
    const user = await serverUser(ctx);
    const dataDir = join(ctx.runDir, 'postgres');
    mkdirSync(dataDir, { mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    const pwFile = join(ctx.runDir, 'postgres.pw');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (user) {
      chmodSync(ctx.runDir, 0o711); // let the server user reach its data directory
      chownSync(dataDir, user.uid, user.gid);
      chownSync(pwFile, user.uid, user.gid);
    }
    const asServer = user ? { uid: user.uid, gid: user.gid } : {};
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    await ctx.run(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'quiver', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'],
      { ...asServer, env },
    );
    const port = await ctx.freePort();
    const launch = (): ChildProcess =>
      ctx.spawnDaemon(
        'postgres',
        join(bin, 'postgres'),
        ['-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
        { ...asServer, env },
      );
    const url = `postgres://quiver:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const pids: number[] = [];
    let child = launch();
    pids.push(child.pid ?? 0);
    const ready = (): Promise<void> => ctx.waitFor('postgres', () => canQuery(url), { timeoutMs: 60_000, child, logName: 'postgres' });
    await ready();
    const gone = (): Promise<unknown> =>
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    return {
      name: 'postgres',
      env: { QUIVER_TEST_PG_URL: url },
      pids,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          return;
        }
        const exited = gone();
        child.kill('SIGINT'); // fast shutdown
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      },
      // SIGQUIT is `pg_ctl stop -m immediate`: every backend dies at once, no checkpoint, crash
      // recovery on the next start (SIGKILL of the postmaster alone would leave its backends behind).
      kill: async () => {
        const exited = gone();
        child.kill('SIGQUIT');
        await exited;
      },
      restart: async () => {
        child = launch();
        pids.push(child.pid ?? 0);
        await ready();
      },
    };
  },
};
