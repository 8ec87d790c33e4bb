/**
 * RFC 4515 filter building. Every value that comes from outside (a username, a DN read back from
 * the directory) goes through `escapeFilterValue`, so it can only ever be compared as a literal:
 * `*` cannot become a wildcard and `(`/`)` cannot close or open a filter.
 */

const special: Readonly<Record<string, string>> = {
  '*': '\\2a',
  '(': '\\28',
  ')': '\\29',
  '\\': '\\5c',
  '\0': '\\00',
};

/**
 * Escapes an assertion value for an LDAP filter string (RFC 4515 §3): `*` → `\2a`, `(` → `\28`,
 * `)` → `\29`, `\` → `\5c`, NUL → `\00`. Every other character, UTF-8 included, is left as it is,
 * which RFC 4515 allows.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (character) => special[character] ?? character);
}

/** An attribute description we put into filters: a name (`uid`, `entryUUID`) or a numeric OID. */
const attributePattern = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

export function assertAttributeName(name: string, what: string): string {
  if (!attributePattern.test(name)) {
    throw new Error(`${what} must be an LDAP attribute name, not ${JSON.stringify(name)}.`);
  }
  return name;
}

/** `(attribute=value)` with the value escaped. */
export const equalityFilter = (attribute: string, value: string): string => `(${attribute}=${escapeFilterValue(value)})`;

/** `(&a b …)`; a single part is returned as it is. */
export const andFilter = (parts: readonly string[]): string => (parts.length === 1 ? (parts[0] ?? '') : `(&${parts.join('')})`);

/** `(|a b …)`; a single part is returned as it is. */
export const orFilter = (parts: readonly string[]): string => (parts.length === 1 ? (parts[0] ?? '') : `(|${parts.join('')})`);
