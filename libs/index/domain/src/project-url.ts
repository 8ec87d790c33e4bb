/**
 * Resolution of the `<name>` segment of `/simple/<name>/` (PEP 503; BAD-INPUT.md 51).
 * The HTTP layer passes the already percent-decoded path segment; the slash-less `/simple/<name>`
 * → `/simple/<name>/` redirect is routing, not handled here.
 */

/** PEP 508 project name, case-insensitive. */
const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
/** Longest name we accept (keeps hostile input out of lookups and redirects). */
export const MAX_PROJECT_NAME_LENGTH = 200;

export type ProjectPathResolution =
  | { readonly kind: 'ok'; readonly name: string }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'invalid' };

/** PEP 503 normalisation: lowercase, every run of `-`, `_`, `.` becomes one `-`. */
export function normalizeSimpleName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Whether `name` is a syntactically valid project name of acceptable length. */
export function isValidSimpleName(name: string): boolean {
  return name.length <= MAX_PROJECT_NAME_LENGTH && PROJECT_NAME.test(name);
}

/** `ok` for a normalised valid name, `redirect` to the normalised URL for a valid other spelling, else `invalid`. */
export function resolveProjectPath(raw: string): ProjectPathResolution {
  if (!isValidSimpleName(raw)) {
    return { kind: 'invalid' };
  }
  const name = normalizeSimpleName(raw);
  return name === raw ? { kind: 'ok', name } : { kind: 'redirect', location: `/simple/${encodeURIComponent(name)}/` };
}
