/**
 * Names a new project may not take (BAD-INPUT 42, 43): standard-library module names of any Python
 * version, because `pip install <module>` then installs whoever registered it, and names that are
 * files people mistype for a project (`pip install requirements.txt`). Existing projects keep
 * their names. Compared by PEP 503 normalisation, as PyPI does. Pure.
 */
import stdlib from './data/stdlib-module-names.json' with { type: 'json' };
import { normalizeProjectName } from '@quiver/shared-domain-packaging';

const PROJECT_NAME_HELP = 'See https://packaging.python.org/specifications/name-normalization/ for more information.';

/** `_thread` and `__future__` count as `thread` and `future`: separators at the ends are dropped first. */
const stdlibForm = (module: string): string => normalizeProjectName(module.replace(/^[-_.]+|[-_.]+$/g, ''));

const STDLIB = new Set(stdlib.modules.map(stdlibForm));

/** Built in: file names people type where a project name belongs. Operators add more with a setting. */
export const DEFAULT_PROHIBITED_PROJECT_NAMES: readonly string[] = [
  'requirements.txt',
  'requirement.txt',
  'requirements-dev.txt',
  'requirements.in',
  'setup.py',
  'setup.cfg',
  'pyproject.toml',
];

/** Checks a new project's name; `prohibited` holds normalised names (see `prohibitedNameSet`). */
export function newProjectNameProblem(name: string, prohibited: ReadonlySet<string>): string | undefined {
  const normalized = normalizeProjectName(name);
  if (STDLIB.has(normalized)) {
    return `The name '${name}' isn't allowed (conflict with Python Standard Library module name). ${PROJECT_NAME_HELP}`;
  }
  if (prohibited.has(normalized)) {
    return `The name '${name}' isn't allowed. ${PROJECT_NAME_HELP}`;
  }
  return undefined;
}

/** The built-in names plus an operator's extra ones, normalised for comparison. */
export const prohibitedNameSet = (extra: readonly string[] = []): ReadonlySet<string> =>
  new Set([...DEFAULT_PROHIBITED_PROJECT_NAMES, ...extra].map(normalizeProjectName));
