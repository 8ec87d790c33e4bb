/**
 * Text taken from an admin request's JSON body is checked here before it
 * reaches storage, a message or a log line: Postgres cannot store NUL, JSON columns refuse a lone
 * UTF-16 surrogate, and control characters have no place in a name or a one-line reason. (A path
 * parameter never holds either: every service refuses them in the URL before routing.)
 */

/** Why `text` cannot be taken as it is, completing "'x' …", or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (/\p{Cs}/u.test(text)) {
    return 'is not well-formed Unicode (it holds a lone surrogate)';
  }
  if (/\p{Cc}/u.test(text)) {
    return 'contains control characters (such as NUL, tab or a line break)';
  }
  return undefined;
}
