import { globSync } from 'node:fs';
import { join, relative } from 'node:path';

export type Suite = 'unit' | 'int' | 'e2e';

const projectRoots = ['apps/*', 'libs/*/*', 'test'];

/** Compiled spec files of the given suites, by the file-name taxonomy `*.unit|int|e2e.spec.js`. */
export function findSpecFiles(repoRoot: string, suites: readonly Suite[], project?: string): string[] {
  const roots = project ? [project] : projectRoots;
  const files = roots.flatMap((root) =>
    suites.flatMap((suite) => globSync(`${root}/dist/**/*.${suite}.spec.js`, { cwd: repoRoot })),
  );
  return [...new Set(files)].map((file) => relative(repoRoot, join(repoRoot, file))).sort();
}
