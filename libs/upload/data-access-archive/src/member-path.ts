/**
 * Archive member names. Anything an extractor could place outside its target directory, or that two
 * extractors could resolve differently, is refused (BAD-INPUT 41).
 */

/**
 * True when `name` (without a directory's trailing slash) is unsafe or ambiguous: absolute
 * (`/x`, `C:x`), parent-relative (`..`), using backslashes, control characters (NUL included), or
 * with empty or `.` segments that another tool would collapse into a different path.
 */
export function isUnsafeMemberPath(name: string): boolean {
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    return true;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    return true;
  }
  return name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
}
