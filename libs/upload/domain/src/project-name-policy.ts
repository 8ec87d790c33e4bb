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

/**
 * The form in which two project names count as confusable (PyPI's rule): separators dropped, `l`
 * and `i` (either case) read as `1`, `o` as `0`, compared without case. `acme-tools`, `acme.too1s`
 * and `ACMET00LS` are one key. SQL that indexes the same key: `translate(project, 'lio-_.', '110')`
 * over the PEP 503 normalised (lowercase) name.
 */
export const confusableKey = (name: string): string => name.toLowerCase().replace(/[-_.]/g, '').replace(/[li]/g, '1').replace(/o/g, '0');

/** The refusal of a new project whose name is confusable with `existing` (normalised). */
export const confusableNameProblem = (name: string, existing: string): string =>
  `The name '${name}' is too similar to an existing project, '${existing}'. Upload to '${existing}', or choose a clearly different name. ${PROJECT_NAME_HELP}`;
