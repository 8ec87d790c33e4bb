/**
 * What the embedded registry's resident memory is made of, measured from outside (Linux):
 *
 * - `/proc/<pid>/status`: VmRSS, VmHWM (reset after each sample, so it is the peak since the last
 *   one), RssAnon, RssFile.
 * - `/proc/<pid>/smaps`: each WebAssembly.Memory (one per PGlite database) is an 8 GiB reservation
 *   whose accessible head is the memory's current size; its Rss is what of it is resident.
 * - A Node diagnostic report (the server runs with `--report-on-signal`, the signal is SIGUSR2, the
 *   report has no environment): the V8 heap (committed and used) and external memory (Buffers,
 *   ArrayBuffers and the WebAssembly memories).
 * - `/proc/<pid>/stat`: CPU seconds, to tell whether the server or the load generator is the bottleneck.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MIB = 2 ** 20;
const RESERVATION = 4 * 2 ** 30; // WebAssembly memories reserve 8 GiB of address space; nothing else here reserves 4 GiB at once
export const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Node flags that make `sample` possible: a report on SIGUSR2 into `dir`, without the environment. */
export const reportFlags = (dir) => ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${dir}`, '--report-exclude-env', '--report-compact'];

function statusOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM'), rssAnon: kib('RssAnon'), rssFile: kib('RssFile') };
}

/** Each WebAssembly memory: its accessible size and resident bytes. */
export function wasmMemories(pid) {
  const regions = [];
  let current;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      current = { start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perm: head[3], name: head[4], rss: 0 };
      regions.push(current);
    } else if (line.startsWith('Rss:') && current) {
      current.rss = Number(/(\d+)/.exec(line)[1]) * 1024;
    }
  }
  const memories = [];
  regions.forEach((region, i) => {
    const before = regions[i - 1];
    if (region.perm === '---p' && region.end - region.start >= BigInt(RESERVATION) && before && before.end === region.start && before.perm.startsWith('rw') && before.name === '') {
      memories.push({ size: Number(before.end - before.start), resident: before.rss });
    }
  });
  return memories;
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14 and 15)
}

/** CPU seconds of a set of processes (the load generators); a process that ended counts 0. */
export const cpuOf = (pids) =>
  pids.reduce((total, pid) => {
    try {
      return total + cpuSeconds(pid);
    } catch {
      return total;
    }
  }, 0);

async function report(pid, dir) {
  const deadline = Date.now() + 10_000;
  process.kill(pid, 'SIGUSR2');
  while (Date.now() < deadline) {
    const [name] = readdirSync(dir).filter((file) => file.endsWith('.json'));
    if (name) {
      const path = join(dir, name);
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8'));
        rmSync(path);
        return parsed.javascriptHeap;
      } catch {
        // still being written
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** One sample of the server's memory (bytes) and CPU seconds so far; resets VmHWM. */
export async function sample(pid, reportDir) {
  const heap = await report(pid, reportDir);
  const status = statusOf(pid);
  const memories = wasmMemories(pid);
  const wasm = { count: memories.length, size: memories.reduce((t, m) => t + m.size, 0), resident: memories.reduce((t, m) => t + m.resident, 0) };
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not allowed here: VmHWM is then the peak since start
  }
  const heapCommitted = heap?.totalCommittedMemory ?? NaN;
  // External memory counts the WebAssembly memories' whole size; what is left is Buffers and ArrayBuffers.
  const buffers = (heap?.externalMemory ?? NaN) - wasm.size;
  return {
    ...status,
    wasm,
    heapCommitted,
    heapUsed: heap?.usedMemory ?? NaN,
    buffers,
    // Anonymous memory that is none of the above: malloc (glibc arenas, freed but not returned),
    // V8's compiled code and its zones, native parts of Node and its addons.
    otherAnon: status.rssAnon - wasm.resident - heapCommitted - Math.max(0, buffers),
    cpu: cpuSeconds(pid),
  };
}

export const mib = (bytes) => (Number.isFinite(bytes) ? (bytes / MIB).toFixed(1) : '–');
