import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const OWNED = /^upload-([0-9a-f]{8})-(\d+)-([0-9a-f]{8})-/;
/** Tells this start of this process from an earlier one with the same process id. */
const THIS_START = randomBytes(4).toString('hex');
/** Per-request directories of Quiver versions that did not name their owner. */
const UNOWNED = /^upload-[A-Za-z0-9]{6}$/;

/** Whether a process with this id runs on this machine (EPERM: it does, as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The per-request directories uploads are streamed into, under `root`. Each is named after the
 * process that made it (host, process id, and a random id of this start), so that a process
 * starting on a directory it may share with live neighbours (replicas on one machine, the OS temp
 * directory) removes what a crashed or killed predecessor left and nothing else.
 */
export class UploadTempDirs {
  private readonly host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

  constructor(readonly root: string) {}

  /** A new private directory for one request (mode 0700). */
  create(): Promise<string> {
    return mkdtemp(join(this.root, `upload-${this.host}-${process.pid}-${THIS_START}-`));
  }

  /**
   * Removes the directories of processes of this machine that no longer run, those of an earlier
   * start under this process id (a restarted container is process 1 again), and those of older
   * versions. Directories of other machines (a shared volume) are left to their owners.
   */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return 0;
    }
    const stale = names.filter((name) => this.isStale(name));
    await Promise.all(stale.map((name) => rm(join(this.root, name), { recursive: true, force: true })));
    return stale.length;
  }

  private isStale(name: string): boolean {
    if (UNOWNED.test(name)) {
      return true;
    }
    const owner = OWNED.exec(name);
    if (!owner || owner[1] !== this.host) {
      return false;
    }
    const pid = Number(owner[2]);
    return pid === process.pid ? owner[3] !== THIS_START : !isRunning(pid);
  }
}
