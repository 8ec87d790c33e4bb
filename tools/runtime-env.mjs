/**
 * Environment for a long-running Quiver process: `npm start` and `npm run serve` (bootstrap.mjs),
 * the benchmarks (bench/lib.mjs). The container image sets the malloc tunables in its Dockerfile;
 * the heap limit it leaves to Node, which sizes it from the container's memory limit.
 *
 * glibc's malloc keeps memory the process freed: V8 compiling PGlite's WebAssembly at start
 * allocates and frees hundreds of MiB, and glibc held 100-220 MiB of it for good, in its main
 * heap and per-thread arenas. Two arenas, and giving back free memory above 128 KiB (trim and mmap
 * thresholds fixed, not raised on the fly), took an idle embedded registry from 450-565 MiB to
 * about 330 MiB, with no difference in page or upload throughput measured (docs/adr/0017).
 * Other C libraries ignore the variable; a value already in the environment wins.
 */
export const MALLOC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072';

/**
 * The V8 heap's limit, in MiB. V8 lets its heap grow to a multiple of what is live before it
 * collects: up to four times when the limit is 2 GiB or more (what Node picks on any machine with
 * 16 GiB), 1.3 to 2 times below that. A registry's live heap is code and bounded tables, about
 * 60-150 MiB (the caches' bytes live outside it); with Node's default the soak's heap was committed
 * at three to four times that and grew with it. 1 GiB is many times the live heap and keeps the
 * multiple under two (docs/adr/0022). A heap flag already in NODE_OPTIONS wins.
 */
export const HEAP_LIMIT_MIB = 1024;

const HEAP_FLAG = /--max[-_](old[-_]space|heap)[-_]size/;

/** `env` with the malloc tunables and the heap limit added, each unless `env` or this process's environment sets it already. */
export function withRuntimeEnv(env) {
  const result = { ...env };
  if (env.GLIBC_TUNABLES === undefined && process.env.GLIBC_TUNABLES === undefined) {
    result.GLIBC_TUNABLES = MALLOC_TUNABLES;
  }
  const nodeOptions = env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '';
  if (!HEAP_FLAG.test(nodeOptions)) {
    result.NODE_OPTIONS = `${nodeOptions} --max-old-space-size=${HEAP_LIMIT_MIB}`.trim();
  }
  return result;
}
