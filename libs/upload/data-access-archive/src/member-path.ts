/** Member names an installer could be tricked by: absolute, parent-relative, drive letters, backslashes, NUL. */
export function isUnsafeMemberPath(name: string): boolean {
  return (
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\\') ||
    name.includes('\u0000') ||
    name.split('/').some((segment) => segment === '..')
  );
}

// eslint-disable-next-line no-control-regex
export const printableMember = (name: string): string => name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 200);

export const memberNotAllowed = (name: string): string =>
  `Invalid distribution file. Archive member '${printableMember(name)}' is not allowed (absolute, parent-relative or link)`;
