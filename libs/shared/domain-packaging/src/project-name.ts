/**
 * Python project names (PEP 508 "names", normalised per PEP 503). Pure: no I/O.
 * Spec: https://packaging.python.org/en/latest/specifications/name-normalization/
 */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** True for a name a distribution may declare: ASCII letters and digits, with `.`, `_`, `-` inside. */
export const isValidProjectName = (name: string): boolean => VALID_NAME.test(name);

/** The PEP 503 form: lowercase, every run of `-`, `_`, `.` collapsed to one `-`. */
export const normalizeProjectName = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

/** The form wheel and sdist filenames use (PEP 427/625): normalised, with `_` for `-`. */
export const filenameProjectName = (name: string): string => normalizeProjectName(name).replaceAll('-', '_');
