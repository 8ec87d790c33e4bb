import type { Client } from 'ldapts';
import type { DirectoryGroup } from '@quiver/shared-ports';
import { orFilter } from './ldap-filter.js';
import { dnPlaceholder, fillTemplate } from './ldap-filter-template.js';
import { dnKey, firstValue } from './ldap-entry.js';
import { unavailable } from './ldap-session.js';
import type { ResolvedLdapOptions } from './ldap-options.js';

/** How many member DNs go into one `(|<group filter for dn1><group filter for dn2>…)` search. */
const batchSize = 50;

/**
 * Every group under `groupBaseDn` that `userDn` belongs to, directly or through nested groups.
 *
 * Level 1 is the groups the group filter finds with `{dn}` = the user's DN. Each further level
 * fills `{dn}` with the DNs of the previous level's groups (a group that is a member of a group).
 * Groups already seen are not searched again (cycles end), and expansion stops after
 * `maxGroupDepth` levels. This needs no in-chain matching rule or memberOf overlay, so it works
 * the same on every server.
 */
export async function resolveGroups(client: Client, options: ResolvedLdapOptions, userDn: string): Promise<DirectoryGroup[]> {
  const found = new Map<string, DirectoryGroup>();
  let frontier = await groupsWithMembers(client, options, [userDn]);
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
    const filter = orFilter(memberDns.slice(start, start + batchSize).map((dn) => fillTemplate(options.groupFilter, dnPlaceholder, dn)));
    try {
      // Continuation references (referrals) in the result are ignored: never chased.
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
