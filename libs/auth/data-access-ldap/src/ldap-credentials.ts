/**
 * Checks made before anything is sent to the directory (RELIABILITY.md §(d) L1, L2, L3, L16).
 * A rejected input never reaches the server: no search, no bind.
 */

const maxUsernameLength = 256;
const maxPasswordLength = 4096;

/**
 * The username as it is searched for, or `undefined` when it is not one. It is NFKC-normalized
 * (fullwidth `ａｌｉｃｅ` becomes `alice`) and refused when, after that, it is empty, too long, or
 * holds whitespace, separators or any control, format (zero-width), surrogate, private-use or
 * unassigned character. It is not trimmed: ` alice ` is refused rather than silently changed.
 */
export function normalizeUsername(username: unknown): string | undefined {
  if (typeof username !== 'string') {
    return undefined;
  }
  const normalized = username.normalize('NFKC');
  if (normalized.length === 0 || normalized.length > maxUsernameLength) {
    return undefined;
  }
  if (/[\p{C}\p{Z}\s]/u.test(normalized)) {
    return undefined;
  }
  return normalized;
}

/**
 * True when the password may be sent in a bind. An empty password would make a simple bind
 * "unauthenticated" (RFC 4513 §5.1.2), which many servers accept; whitespace-only passwords are
 * refused the same way, and so are NUL characters, which some servers truncate at. The password
 * is otherwise used exactly as given: never trimmed or normalized.
 */
export function isUsablePassword(password: unknown): password is string {
  return (
    typeof password === 'string' &&
    password.length > 0 &&
    password.length <= maxPasswordLength &&
    !/^\s*$/u.test(password) &&
    !password.includes('\0')
  );
}
