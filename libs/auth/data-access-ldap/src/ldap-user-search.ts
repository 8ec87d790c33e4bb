import type { Client, Entry } from 'ldapts';
import { andFilter, equalityFilter } from './ldap-filter.js';
import { anyValueTemplate, fillTemplate, usernamePlaceholder } from './ldap-filter-template.js';
import type { ResolvedLdapOptions } from './ldap-options.js';
import { unavailable } from './ldap-session.js';

/** The user filter for one username: the operator's template with `{username}` filled in (escaped), nothing added. */
export const userFilterFor = (options: ResolvedLdapOptions, username: string): string =>
  fillTemplate(options.userFilter, usernamePlaceholder, username);

/**
 * The entry with this immutable id that the user filter would also find for some username: a
 * renamed user is found under the new name, a user the filter no longer admits (disabled, moved
 * out of a required group) is not found at all.
 */
export const userByIdFilter = (options: ResolvedLdapOptions, id: string): string =>
  andFilter([anyValueTemplate(options.userFilter, usernamePlaceholder), equalityFilter(options.idAttribute, id)]);

/** The one entry under `userBaseDn` that `filter` matches; undefined for none or several (never "the first one"). */
export async function findUserEntry(client: Client, options: ResolvedLdapOptions, filter: string): Promise<Entry | undefined> {
  const { usernameAttribute, idAttribute, userBaseDn, timeoutMs } = options;
  try {
    // Continuation references (referrals) in the result are ignored: never chased (RELIABILITY.md §(d) L8).
    const { searchEntries } = await client.search(userBaseDn, {
      scope: 'sub',
      filter,
      attributes: [usernameAttribute, idAttribute, 'displayName', 'cn', 'mail'],
      // Two are enough to tell "exactly one" from "ambiguous".
      sizeLimit: 2,
      timeLimit: Math.ceil(timeoutMs / 1000),
    });
    return searchEntries.length === 1 ? searchEntries[0] : undefined;
  } catch (error) {
    throw unavailable('user search', error);
  }
}
