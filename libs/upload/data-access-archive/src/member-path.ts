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

/**
 * The name as a case-insensitive file system compares it (Windows NTFS; macOS APFS and HFS+ as
 * formatted by default): canonically equivalent spellings made one (`é` precomposed or as `e` plus
 * a combining accent; APFS and HFS+ compare normalisation-insensitively, even when case-sensitive),
 * then case folded with the full case mappings (upper, then lower: `ß` and `SS`, `ς` and `σ`, `ı`
 * and `i`, the Kelvin sign and `k` fold together). Deliberately a little wider than any one file
 * system: refusing a name pair no real distribution needs costs nothing, missing a collision lets
 * one member silently replace another on some machines.
 */
export const caseInsensitiveKey = (name: string): string =>
  /^[\x20-\x7e]*$/.test(name) ? name.toLowerCase() : name.normalize('NFD').toUpperCase().toLowerCase().normalize('NFC');
