/**
 * Text taken from an admin request (a path parameter, a JSON string) is checked here before it
 * reaches storage, a message or a log line: Postgres cannot store NUL, JSON columns refuse a lone
 * UTF-16 surrogate, and control characters have no place in a name or a one-line reason.
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

/** The first path parameter that is not clean text, as a 400 message; undefined when all are clean. */
export function pathParameterProblem(parameters: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const [name, value] of Object.entries(parameters)) {
    const problem = value === undefined ? undefined : textProblem(value);
    if (problem !== undefined) {
      return `The ${name} in the request path ${problem}.`;
    }
  }
  return undefined;
}
