import type { Client, Entry } from 'ldapts';
import { DirectoryUnavailableError, type Directory, type DirectoryUser } from '@quiver/shared-ports';
import { isUsablePassword, normalizeUsername } from './ldap-credentials.js';
import { attributeValues, firstValue } from './ldap-entry.js';
import { andFilter, equalityFilter } from './ldap-filter.js';
import { resolveGroups } from './ldap-groups.js';
import { resolveLdapOptions, type LdapDirectoryOptions, type ResolvedLdapOptions } from './ldap-options.js';
import { unavailable, withSession } from './ldap-session.js';

/**
 * The company directory over LDAP (ldapts). Each call searches with the service account, binds
 * as the user on a fresh connection to check a password, and closes every connection it opened.
 * Nothing here logs, and no password is ever part of an error message.
 */
export class LdapDirectory implements Directory {
  private readonly options: ResolvedLdapOptions;
  private closed = false;

  constructor(options: LdapDirectoryOptions) {
    this.options = resolveLdapOptions(options);
  }

  async authenticate(username: string, password: string): Promise<DirectoryUser | undefined> {
    this.assertOpen();
    const normalized = normalizeUsername(username);
    if (normalized === undefined || !isUsablePassword(password)) {
      return undefined; // decided here: nothing is sent to the server
    }
    return withSession(this.options, async (session) => {
      const service = await session.serviceClient();
      const entry = await this.findEntry(service, normalized);
      if (!entry) {
        return undefined;
      }
      if (!(await session.verifyPassword(entry.dn, password))) {
        return undefined;
      }
      return this.toUser(service, entry, normalized);
    });
  }

  async findUser(username: string): Promise<DirectoryUser | undefined> {
    this.assertOpen();
    const normalized = normalizeUsername(username);
    if (normalized === undefined) {
      return undefined;
    }
    return withSession(this.options, async (session) => {
      const service = await session.serviceClient();
      const entry = await this.findEntry(service, normalized);
      return entry ? this.toUser(service, entry, normalized) : undefined;
    });
  }

  /** Connections live only as long as one call, so there is nothing to release beyond refusing later calls. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** The one entry whose username attribute equals `username`; undefined for none or several (never "the first one"). */
  private async findEntry(client: Client, username: string): Promise<Entry | undefined> {
    const { usernameAttribute, userObjectClass, idAttribute, userBaseDn, timeoutMs } = this.options;
    try {
      const { searchEntries } = await client.search(userBaseDn, {
        scope: 'sub',
        filter: andFilter([equalityFilter('objectClass', userObjectClass), equalityFilter(usernameAttribute, username)]),
        attributes: [usernameAttribute, idAttribute, 'displayName', 'cn', 'mail', 'memberOf'],
        // Two are enough to tell "exactly one" from "ambiguous".
        sizeLimit: 2,
        timeLimit: Math.ceil(timeoutMs / 1000),
      });
      return searchEntries.length === 1 ? searchEntries[0] : undefined;
    } catch (error) {
      throw unavailable('user search', error);
    }
  }

  private async toUser(client: Client, entry: Entry, requested: string): Promise<DirectoryUser> {
    const { idAttribute, usernameAttribute } = this.options;
    const id = firstValue(entry, idAttribute);
    if (!id) {
      // Without the immutable id, renames and case variants would become different people.
      throw new DirectoryUnavailableError(`LDAP entry ${entry.dn} has no ${idAttribute}; check idAttribute and the service account's read access.`);
    }
    const usernames = attributeValues(entry, usernameAttribute);
    // The directory's own spelling: `Alice` and `alice` are one person with one username.
    const username = usernames.find((value) => value.toLowerCase() === requested.toLowerCase()) ?? usernames[0] ?? requested;
    const groups = await resolveGroups(client, this.options, entry.dn, attributeValues(entry, 'memberOf'));
    const displayName = firstValue(entry, 'displayName') ?? firstValue(entry, 'cn');
    const email = firstValue(entry, 'mail');
    return {
      id,
      dn: entry.dn,
      username,
      ...(displayName ? { displayName } : {}),
      ...(email ? { email } : {}),
      groups,
    };
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new DirectoryUnavailableError('LdapDirectory is closed.');
    }
  }
}
