import { NoSuchObjectError, type Client } from 'ldapts';
import type { DirectoryGroup } from '@quiver/shared-ports';
import { andFilter, equalityFilter, orFilter } from './ldap-filter.js';
import { dnKey, firstValue, isUnder } from './ldap-entry.js';
import { unavailable } from './ldap-session.js';
import type { ResolvedLdapOptions } from './ldap-options.js';

/** How many member DNs go into one `(|(member=…)…)` search. */
const batchSize = 50;

/**
 * Every group under `groupBaseDn` that `userDn` belongs to, directly or through nested groups.
 *
 * Level 1 is the groups whose member attribute names the user, plus the user's `memberOf` values
 * (when the server maintains them) that lie under `groupBaseDn`. Each further level searches for
 * groups that name a group of the previous level as a member. Groups already seen are not searched
 * again (cycles end), and expansion stops after `maxGroupDepth` levels. This works the same on
 * servers with and without in-chain matching rules or a memberOf overlay.
 */
export async function resolveGroups(
  client: Client,
  options: ResolvedLdapOptions,
  userDn: string,
  memberOf: readonly string[],
): Promise<DirectoryGroup[]> {
  const found = new Map<string, DirectoryGroup>();
  let frontier = await groupsWithMembers(client, options, [userDn]);
  const missing = memberOf.filter((dn) => isUnder(dn, options.groupBaseDn) && !frontier.some((group) => dnKey(group.dn) === dnKey(dn)));
  for (const dn of missing) {
    const group = await readGroup(client, options, dn);
    if (group) {
      frontier.push(group);
    }
  }
  for (let depth = 1; frontier.length > 0; depth += 1) {
    const fresh: DirectoryGroup[] = [];
    for (const group of frontier) {
      if (!found.has(dnKey(group.dn))) {
        found.set(dnKey(group.dn), group);
        fresh.push(group);
      }
    }
    if (depth >= options.maxGroupDepth || fresh.length === 0) {
      break;
    }
    frontier = await groupsWithMembers(
      client,
      options,
      fresh.map((group) => group.dn),
    );
  }
  return [...found.values()];
}

async function groupsWithMembers(client: Client, options: ResolvedLdapOptions, memberDns: readonly string[]): Promise<DirectoryGroup[]> {
  const groups: DirectoryGroup[] = [];
  for (let start = 0; start < memberDns.length; start += batchSize) {
    const members = memberDns.slice(start, start + batchSize).map((dn) => equalityFilter(options.groupMemberAttribute, dn));
    const filter = andFilter([equalityFilter('objectClass', options.groupObjectClass), orFilter(members)]);
    try {
      const { searchEntries } = await client.search(options.groupBaseDn, {
        scope: 'sub',
        filter,
        attributes: [options.groupNameAttribute],
        paged: { pageSize: 500 },
        timeLimit: Math.ceil(options.timeoutMs / 1000),
      });
      for (const entry of searchEntries) {
        groups.push({ dn: entry.dn, name: firstValue(entry, options.groupNameAttribute) ?? entry.dn });
      }
    } catch (error) {
      throw unavailable('group search', error);
    }
  }
  return groups;
}

/** A group named by a memberOf value; undefined when it is gone or not a group. */
async function readGroup(client: Client, options: ResolvedLdapOptions, dn: string): Promise<DirectoryGroup | undefined> {
  try {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: equalityFilter('objectClass', options.groupObjectClass),
      attributes: [options.groupNameAttribute],
      timeLimit: Math.ceil(options.timeoutMs / 1000),
    });
    const [entry] = searchEntries;
    return entry ? { dn: entry.dn, name: firstValue(entry, options.groupNameAttribute) ?? entry.dn } : undefined;
  } catch (error) {
    if (error instanceof NoSuchObjectError) {
      return undefined;
    }
    throw unavailable('group read', error);
  }
}
