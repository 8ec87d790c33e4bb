/**
 * The operator's search filters, written as templates (`(&(objectClass=person)(uid={username}))`,
 * `(|(member={dn})(uniqueMember={dn}))`). A template is the whole filter: nothing is ANDed to it.
 * Only the placeholder is filled in, always with an RFC 4515-escaped value, so a username or a DN
 * is compared as a literal and can never add to or end the operator's filter.
 */
import { AndFilter, FilterParser, NotFilter, OrFilter, type Filter } from 'ldapts';
import { escapeFilterValue } from './ldap-filter.js';

export const usernamePlaceholder = '{username}';
export const dnPlaceholder = '{dn}';

/** `template` with every `placeholder` replaced by `value`, escaped (split/join: no `$&` patterns). */
export function fillTemplate(template: string, placeholder: string, value: string): string {
  return template.split(placeholder).join(escapeFilterValue(value));
}

/**
 * `template` matching entries whatever the placeholder's value: each placeholder becomes `*`, so
 * `(uid={username})` becomes the presence filter `(uid=*)` and every other condition of the
 * template (object class, "not disabled", a required group) still applies.
 */
export function anyValueTemplate(template: string, placeholder: string): string {
  return template.split(placeholder).join('*').replace(/\*{2,}/g, '*');
}

/** Refuses a template without its placeholder or one that is not a filter, at construction rather than at the first login. */
export function assertTemplate(template: string, placeholder: string, what: string): string {
  if (typeof template !== 'string' || !template.includes(placeholder)) {
    throw new Error(`${what} must contain ${placeholder}, e.g. ${placeholder === dnPlaceholder ? '(member={dn})' : '(uid={username})'}.`);
  }
  const refuse = (why: string): never => {
    throw new Error(`${what} is not an LDAP filter (RFC 4515) once ${placeholder} is filled in: ${why}`);
  };
  if (!isOneParenthesizedFilter(template)) {
    refuse('it must be one filter in parentheses, with balanced parentheses (a literal parenthesis is written \\28 or \\29)');
  }
  for (const filled of [fillTemplate(template, placeholder, 'x'), anyValueTemplate(template, placeholder)]) {
    try {
      FilterParser.parseString(filled);
    } catch (error) {
      refuse(error instanceof Error ? error.message : String(error));
    }
  }
  return template;
}

/**
 * True for `(…)` whose parentheses balance and close only at the end. In a filter string every
 * parenthesis is structure (values escape theirs), and ldapts' parser accepts `uid=x` or a missing
 * final `)`, which would hide a typo until the first login.
 */
function isOneParenthesizedFilter(template: string): boolean {
  let depth = 0;
  for (let index = 0; index < template.length; index += 1) {
    const character = template[index];
    if (character === '(') {
      depth += 1;
    } else if (character === ')') {
      depth -= 1;
      if (depth < 0 || (depth === 0 && index !== template.length - 1)) {
        return false;
      }
    } else if (depth === 0) {
      return false;
    }
  }
  return depth === 0 && template.length > 0;
}

const sentinel = 'quiverusernamesentinel';

/**
 * The attribute the user filter compares the username with: the first comparison whose value
 * holds `{username}` (`uid` in `(&(objectClass=person)(uid={username}))`). The username a
 * directory user is reported with is read from it, so a rename shows and `Alice` reads as `alice`.
 */
export function usernameAttributeOf(userFilter: string): string {
  const found = findAttribute(FilterParser.parseString(fillTemplate(userFilter, usernamePlaceholder, sentinel)));
  if (found === undefined) {
    throw new Error(`The user filter must compare an attribute with {username}, e.g. (uid={username}), so the username can be read back.`);
  }
  return found;
}

function findAttribute(filter: Filter): string | undefined {
  if (filter instanceof AndFilter || filter instanceof OrFilter) {
    for (const part of filter.filters) {
      const found = findAttribute(part);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  }
  if (filter instanceof NotFilter) {
    return undefined; // a username that must NOT match says nothing about where it is kept
  }
  const attribute = 'attribute' in filter && typeof filter.attribute === 'string' ? filter.attribute : undefined;
  return attribute && filter.toString().toLowerCase().includes(sentinel) ? attribute : undefined;
}
