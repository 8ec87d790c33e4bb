/**
 * Environment for a long-running Quiver process: `npm start` and `npm run serve` (bootstrap.mjs),
 * the benchmarks (bench/lib.mjs); the container image sets the same in its Dockerfile.
 *
 * glibc's malloc keeps memory the process freed: V8 compiling PGlite's WebAssembly at start
 * allocates and frees hundreds of MiB, and glibc held 100-220 MiB of it for good, in its main
 * heap and per-thread arenas. Two arenas, and giving back free memory above 128 KiB (trim and mmap
 * thresholds fixed, not raised on the fly), took an idle embedded registry from 450-565 MiB to
 * about 330 MiB, with no difference in page or upload throughput measured (docs/adr/0017).
 * Other C libraries ignore the variable; a value already in the environment wins.
 */
export const MALLOC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072';

/** `env` with the malloc tunables added, unless it or this process's environment sets GLIBC_TUNABLES (empty: glibc's defaults). */
export const withRuntimeEnv = (env) => (env.GLIBC_TUNABLES !== undefined || process.env.GLIBC_TUNABLES !== undefined ? env : { ...env, GLIBC_TUNABLES: MALLOC_TUNABLES });
