import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ACCESS_FACTS_TOPIC, type AccessRecorded } from '@quiver/shared-contracts-identity';
import type { EventBus } from '@quiver/shared-ports';

export interface FactJournalOptions {
  /** Where journal files live (QUIVER_JOURNAL_DIR); created (mode 0700) if missing. */
  readonly directory: string;
  readonly bus: EventBus;
  /** How often the shipper looks for new facts; it also runs at once when a batch's worth is pending. */
  readonly intervalMs?: number;
  /** A journal file is closed for writing at this size; it is deleted once fully shipped. */
  readonly maxFileBytes?: number;
  readonly maxBatchFacts?: number;
  readonly maxBatchBytes?: number;
  /** A lock whose owner has not touched it for this long may be taken over (an owner on another host). */
  readonly lockStaleMs?: number;
  /** Told of problems (a failed publish, an unwritable journal); never of a fact's content. */
  readonly onProblem?: (message: string) => void;
}

/** One journal file: `<base>.jsonl`, with its shipped offset in `<base>.offset` and its owner in `<base>.lock`. */
interface JournalFile {
  readonly base: string;
  /** Bytes of it already published (recorded in its offset file within `OFFSET_SAVE_MS`). */
  shipped: number;
  /** What its offset file holds (undefined: not known to be written by this journal). */
  saved?: number;
  /** When this journal last wrote its offset file. */
  savedAt?: number;
  /** This journal writes it: its size is known without a stat. */
  written?: number;
  /** The file is complete (not written any more): once shipped it is deleted. */
  closed: boolean;
  /** Written by a process that is gone: a torn last line or a bad line is skipped, not shipped. */
  readonly adopted: boolean;
}

const CHUNK_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 5_000;
const SCAN_MS = 10_000;
/**
 * A file's shipped offset is written at most this often (and when the journal stops): a process
 * killed in between ships up to this much again, which consumers drop by fact id.
 */
const OFFSET_SAVE_MS = 1_000;
/** Journals of this process that are running, by instance (a lock of this pid names one of them, or a dead one). */
const LIVE = new Set<string>();
const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 60) || 'host';

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Access facts, kept so that nothing answered is lost. `record()` appends the fact as one JSON line
 * to a local file with one synchronous write before the answer goes out (a `kill -9` after the
 * answer loses nothing: the line is in the kernel's page cache), and never waits for the bus. A
 * shipper reads what is new every `intervalMs` (sooner when a batch's worth is pending) and
 * publishes it on `quiver.access.v1` in batches (one message each, JSON lines as
 * `encodeAccessFacts` makes them); only after the bus acknowledged a batch is the file's shipped
 * offset moved. A refused publish is retried next round from the same offset: at least once, in
 * order per file (consumers keep one entry per fact id).
 *
 * Files are named after the process that writes them and locked by it (`<base>.lock`: host, pid,
 * instance, touched while it runs). At start, and now and then after, files whose owner is gone
 * (its pid dead on this host, or its lock untouched for `lockStaleMs`) are taken over and shipped,
 * so what a killed process journaled is published by the next one over the same directory; two
 * live processes sharing a directory never ship the same file.
 */
export class FactJournal {
  private readonly instance = randomBytes(6).toString('hex');
  private readonly intervalMs: number;
  private readonly maxFileBytes: number;
  private readonly maxBatchFacts: number;
  private readonly maxBatchBytes: number;
  private readonly lockStaleMs: number;
  private readonly files: JournalFile[] = [];
  private active: JournalFile | undefined;
  private fd: number | undefined;
  private sequence = 0;
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private soon = false;
  private topicReady = false;
  private lastHeartbeat = 0;
  private lastScan = 0;
  private lost = 0;
  private failing = false;
  /** Facts recorded and not yet written (JSON), and the write that will take them. */
  private buffered: string[] = [];
  private writing: Promise<void> | undefined;

  private constructor(private readonly options: FactJournalOptions) {
    this.intervalMs = options.intervalMs ?? 200;
    this.maxFileBytes = options.maxFileBytes ?? 8 * 1024 * 1024;
    this.maxBatchFacts = options.maxBatchFacts ?? 500;
    this.maxBatchBytes = options.maxBatchBytes ?? 256 * 1024;
    this.lockStaleMs = options.lockStaleMs ?? 60_000;
  }

  /** Opens a journal over `directory`: a new file of its own, files left by processes that are gone adopted, the shipper started. */
  static open(options: FactJournalOptions): FactJournal {
    const journal = new FactJournal(options);
    mkdirSync(options.directory, { recursive: true, mode: 0o700 });
    LIVE.add(journal.instance);
    journal.openNext();
    journal.scan();
    journal.timer = setInterval(() => void journal.ship(), journal.intervalMs);
    journal.timer.unref();
    return journal;
  }

  /**
   * Appends one fact, no validation. Facts recorded in one turn of the event loop are written
   * together, with one synchronous write, right after it (`setImmediate`): a group commit. Whoever
   * answers a client awaits `written()` first, so no answer goes out before its fact is in the file.
   */
  record(fact: AccessRecorded): void {
    if (this.fd === undefined || this.active === undefined) {
      this.lose('the journal is closed');
      return;
    }
    this.buffered.push(JSON.stringify(fact));
    this.writing ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.writeBuffered();
        resolve();
      });
    });
  }

  /** Settles once every fact recorded so far is in the journal file; undefined when none waits to be written. */
  written(): Promise<void> | undefined {
    return this.writing;
  }

  /** Writes the facts recorded since the last write: one line each, one synchronous write for all. */
  private writeBuffered(): void {
    this.writing = undefined;
    const lines = this.buffered;
    if (lines.length === 0) {
      return;
    }
    this.buffered = [];
    const fd = this.fd;
    const file = this.active;
    if (fd === undefined || file === undefined) {
      lines.forEach(() => this.lose('the journal is closed'));
      return;
    }
    const data = Buffer.from(`${lines.join('\n')}\n`);
    try {
      let done = 0;
      while (done < data.length) {
        done += writeSync(fd, data, done, data.length - done);
      }
    } catch (error) {
      lines.forEach(() => this.lose(`cannot write the journal (${(error as NodeJS.ErrnoException).code ?? 'error'})`));
      return;
    }
    file.written = (file.written ?? 0) + data.length;
    this.pending += lines.length;
    if (file.written >= this.maxFileBytes) {
      this.rotate();
    }
    if (this.pending >= this.maxBatchFacts && !this.soon) {
      this.soon = true;
      setImmediate(() => {
        this.soon = false;
        void this.ship();
      });
    }
  }

  /** Facts that could not be written (the journal closed or unwritable), since start. */
  get lostFacts(): number {
    return this.lost;
  }

  /** Runs a shipping round (or joins the one running, and runs another after it). */
  ship(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round();
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops writing, ships what is pending (one try if the bus refuses), releases its locks; unshipped files stay for the next process. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.writeBuffered();
    await this.running;
    this.writeBuffered();
    this.closeActive();
    await this.ship();
    for (const file of this.files.splice(0)) {
      this.saveOffset(file, true);
      this.unlinkQuietly(this.path(file.base, 'lock'));
    }
    LIVE.delete(this.instance);
  }

  private path(base: string, kind: 'jsonl' | 'offset' | 'lock'): string {
    return join(this.options.directory, `${base}.${kind}`);
  }

  private lose(why: string): void {
    this.lost += 1;
    if (this.lost === 1 || this.lost % 1000 === 0) {
      this.options.onProblem?.(`access fact not journaled: ${why} (${this.lost} lost since start)`);
    }
  }

  private openNext(): void {
    this.sequence += 1;
    const base = `facts-${HOST}-${process.pid}-${this.instance}-${String(this.sequence).padStart(6, '0')}`;
    this.writeLock(base, 'wx');
    this.fd = openSync(this.path(base, 'jsonl'), 'a', 0o600);
    this.active = { base, shipped: 0, written: 0, closed: false, adopted: false };
    this.files.push(this.active);
  }

  private closeActive(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.active) {
      this.active.closed = true;
      this.active = undefined;
    }
  }

  private rotate(): void {
    this.closeActive();
    try {
      this.openNext();
    } catch (error) {
      this.options.onProblem?.(`cannot open a new journal file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  private writeLock(base: string, flag: 'wx'): void {
    const fd = openSync(this.path(base, 'lock'), flag, 0o600);
    try {
      writeSync(fd, `${HOST} ${process.pid} ${this.instance}\n`);
    } finally {
      closeSync(fd);
    }
  }

  /** Whether a lock's owner is gone: a dead pid on this host, a journal of this process that stopped, or no heartbeat for too long. */
  private stale(content: string, touchedAt: number): boolean {
    const [host, pidText, instance] = content.trim().split(' ');
    if (Date.now() - touchedAt > this.lockStaleMs) {
      return true;
    }
    if (host !== HOST) {
      return false;
    }
    const pid = Number(pidText);
    if (pid === process.pid) {
      return instance === undefined || !LIVE.has(instance);
    }
    return !Number.isInteger(pid) || pid <= 0 || !pidAlive(pid);
  }

  /** Takes the lock of a file whose owner is gone; false when it is held (or another process took it first). */
  private adoptLock(base: string): boolean {
    const lock = this.path(base, 'lock');
    try {
      this.writeLock(base, 'wx');
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        return false;
      }
    }
    let content: string;
    try {
      content = readFileSync(lock, 'utf8');
      if (!this.stale(content, statSync(lock).mtimeMs)) {
        return false;
      }
      // Moved aside atomically: of two processes taking it over, one moves it, the other finds nothing.
      const aside = `${lock}.stale-${this.instance}`;
      renameSync(lock, aside);
      if (readFileSync(aside, 'utf8') !== content) {
        renameSync(aside, lock); // it was renewed in between: not ours to take
        return false;
      }
      unlinkSync(aside);
      this.writeLock(base, 'wx');
      return true;
    } catch {
      return false;
    }
  }

  /** Adopts the journal files of processes that are gone. */
  private scan(): void {
    this.lastScan = Date.now();
    let names: string[];
    try {
      names = readdirSync(this.options.directory);
    } catch (error) {
      this.options.onProblem?.(`cannot read the journal directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    const known = new Set(this.files.map((file) => file.base));
    for (const name of names.sort()) {
      if (!name.startsWith('facts-') || !name.endsWith('.jsonl')) {
        continue;
      }
      const base = name.slice(0, -'.jsonl'.length);
      if (known.has(base) || !this.adoptLock(base)) {
        continue;
      }
      let shipped = 0;
      try {
        shipped = Number(readFileSync(this.path(base, 'offset'), 'utf8').trim()) || 0;
      } catch {
        // never shipped
      }
      this.files.unshift({ base, shipped, saved: shipped, closed: true, adopted: true });
    }
  }

  private heartbeat(): void {
    const now = new Date();
    this.lastHeartbeat = now.getTime();
    for (const file of this.files) {
      try {
        utimesSync(this.path(file.base, 'lock'), now, now);
      } catch {
        // gone: the next scan sorts it out
      }
    }
  }

  private async round(): Promise<void> {
    this.pending = 0;
    if (Date.now() - this.lastHeartbeat >= HEARTBEAT_MS) {
      this.heartbeat();
    }
    if (Date.now() - this.lastScan >= SCAN_MS) {
      this.scan();
    }
    for (const file of [...this.files]) {
      if (!(await this.shipFile(file))) {
        return; // the bus refused: the rest waits for the next round, in order
      }
    }
  }

  /** Publishes what is new in one file; false when the bus refused (nothing after the last acknowledged batch counts as shipped). */
  private async shipFile(file: JournalFile): Promise<boolean> {
    const path = this.path(file.base, 'jsonl');
    let size: number;
    try {
      size = file.written ?? statSync(path).size;
    } catch {
      this.forget(file);
      return true;
    }
    if (file.shipped < size) {
      const handle = await open(path, 'r');
      try {
        while (file.shipped < size) {
          const length = Math.min(CHUNK_BYTES, size - file.shipped);
          const buffer = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buffer, 0, length, file.shipped);
          if (bytesRead === 0) {
            break;
          }
          const end = buffer.lastIndexOf(0x0a, bytesRead - 1);
          if (end < 0) {
            if (file.adopted && file.shipped + bytesRead >= size) {
              this.options.onProblem?.(`skipped a torn last line (${bytesRead} bytes) of ${file.base}`);
              this.advance(file, size);
              this.saveOffset(file, true);
            }
            break; // a line still being written (or longer than a chunk, which no fact is)
          }
          if (!(await this.publishLines(file, buffer.subarray(0, end + 1)))) {
            return false;
          }
        }
      } finally {
        await handle.close();
        this.saveOffset(file, false);
      }
    }
    // `size` is what the file held when this round began: it may have grown, and been closed for a
    // new file, while a batch was on its way. Delete it only once what it finally holds is shipped.
    if (file.closed && file.shipped >= (file.written ?? size)) {
      this.forget(file);
      for (const kind of ['jsonl', 'offset', 'lock'] as const) {
        this.unlinkQuietly(this.path(file.base, kind));
      }
    }
    return true;
  }

  /** Publishes complete lines in batches, moving the file's offset after each acknowledged one. */
  private async publishLines(file: JournalFile, bytes: Buffer): Promise<boolean> {
    let lines: string[] = [];
    let batchBytes = 0;
    let consumed = 0;
    const flush = async (): Promise<boolean> => {
      if (lines.length > 0 && !(await this.publish(lines))) {
        return false;
      }
      this.advance(file, file.shipped + consumed);
      lines = [];
      batchBytes = 0;
      consumed = 0;
      return true;
    };
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const line = bytes.toString('utf8', start, newline);
      const lineBytes = newline - start + 1;
      start = newline + 1;
      if ((lines.length >= this.maxBatchFacts || batchBytes + lineBytes > this.maxBatchBytes) && !(await flush())) {
        return false;
      }
      consumed += lineBytes;
      if (line.trim() === '' || (file.adopted && !isFactLine(line))) {
        if (line.trim() !== '') {
          this.options.onProblem?.(`skipped a line that is not a fact in ${file.base}`);
        }
        continue;
      }
      lines.push(line);
      batchBytes += lineBytes;
    }
    return flush();
  }

  private async publish(lines: readonly string[]): Promise<boolean> {
    try {
      if (!this.topicReady) {
        await this.options.bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 3 }]);
        this.topicReady = true;
      }
      // The lines are the facts as JSON.stringify wrote them: joined, they are encodeAccessFacts' value.
      await this.options.bus.publish(ACCESS_FACTS_TOPIC, [{ key: this.instance, value: lines.join('\n') }]);
      if (this.failing) {
        this.failing = false;
        this.options.onProblem?.('access facts are published again; the journal caught up from where it stopped');
      }
      return true;
    } catch (error) {
      if (!this.failing) {
        this.failing = true; // said once per outage, not every round
        this.options.onProblem?.(`access facts cannot be published (${error instanceof Error ? error.name : 'error'}); they stay in the journal and are retried every round`);
      }
      return false;
    }
  }

  /** What the bus acknowledged of a file (saved to its offset file by `saveOffset`). */
  private advance(file: JournalFile, offset: number): void {
    file.shipped = Math.max(file.shipped, offset);
  }

  /** Writes a file's shipped offset, if it moved: at most every `OFFSET_SAVE_MS`, unless `now`. */
  private saveOffset(file: JournalFile, now: boolean): void {
    if (file.shipped === (file.saved ?? 0) || (!now && Date.now() - (file.savedAt ?? 0) < OFFSET_SAVE_MS)) {
      return;
    }
    const path = this.path(file.base, 'offset');
    try {
      writeFileSync(`${path}.tmp`, String(file.shipped), { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
      file.saved = file.shipped;
      file.savedAt = Date.now();
    } catch (error) {
      this.options.onProblem?.(`cannot record the shipped offset (${(error as NodeJS.ErrnoException).code ?? 'error'}); facts may be shipped twice`);
    }
  }

  private forget(file: JournalFile): void {
    const at = this.files.indexOf(file);
    if (at >= 0) {
      this.files.splice(at, 1);
    }
  }

  private unlinkQuietly(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

/** A line a process that was killed left whole: a JSON object of an access fact type. */
function isFactLine(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as { type?: unknown };
    return parsed.type === 'AccessRecorded' || parsed.type === 'TokensUsed';
  } catch {
    return false;
  }
}

