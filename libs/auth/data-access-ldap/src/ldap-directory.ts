import type { Client, Entry } from 'ldapts';
import { DirectoryUnavailableError, type Directory, type DirectoryUser } from '@quiver/shared-ports';
import { isUsablePassword, normalizeUsername } from './ldap-credentials.js';
import { attributeValues, firstValue } from './ldap-entry.js';
import { resolveGroups } from './ldap-groups.js';
import { resolveLdapOptions, type LdapDirectoryOptions, type ResolvedLdapOptions } from './ldap-options.js';
import { withSession, type LdapSession } from './ldap-session.js';
import { findUserEntry, userByIdFilter, userFilterFor } from './ldap-user-search.js';

/**
 * The DN bound with the typed password when a username matches no entry (or several), so an
 * unknown user costs the same connection and bind as a wrong password (RELIABILITY.md §(d) L5).
 * Whatever the directory answers is ignored. Directory administrators see these as failed binds.
 */
export const unknownUserBindRdn = 'cn=quiver-no-such-user';

const maxIdLength = 256;

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
      const entry = await findUserEntry(service, this.options, userFilterFor(this.options, normalized));
      if (!entry) {
        await this.bindAsNobody(session, password);
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
      const entry = await findUserEntry(service, this.options, userFilterFor(this.options, normalized));
      return entry ? this.toUser(service, entry, normalized) : undefined;
    });
  }

  async findUserById(id: string): Promise<DirectoryUser | undefined> {
    this.assertOpen();
    if (typeof id !== 'string' || id.length === 0 || id.length > maxIdLength || /\p{C}/u.test(id)) {
      return undefined;
    }
    return withSession(this.options, async (session) => {
      const service = await session.serviceClient();
      const entry = await findUserEntry(service, this.options, userByIdFilter(this.options, id));
      return entry ? this.toUser(service, entry, undefined) : undefined;
    });
  }

  /** Connections live only as long as one call, so there is nothing to release beyond refusing later calls. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** The same work as checking a wrong password (a fresh connection and a bind), for a DN no user has; the answer is ignored. */
  private async bindAsNobody(session: LdapSession, password: string): Promise<void> {
    await session.verifyPassword(`${unknownUserBindRdn},${this.options.userBaseDn}`, password).catch(() => false);
  }

  private async toUser(client: Client, entry: Entry, requested: string | undefined): Promise<DirectoryUser> {
    const { idAttribute, usernameAttribute } = this.options;
    const id = firstValue(entry, idAttribute);
    if (!id) {
      // Without the immutable id, renames and case variants would become different people.
      throw new DirectoryUnavailableError(`LDAP entry ${entry.dn} has no ${idAttribute}; check idAttribute and the service account's read access.`);
    }
    const usernames = attributeValues(entry, usernameAttribute);
    // The directory's own spelling: `Alice` and `alice` are one person with one username.
    const username = usernames.find((value) => value.toLowerCase() === requested?.toLowerCase()) ?? usernames[0] ?? requested;
    if (username === undefined) {
      throw new DirectoryUnavailableError(`LDAP entry ${entry.dn} has no ${usernameAttribute}; check the user filter and the service account's read access.`);
    }
    const groups = await resolveGroups(client, this.options, entry.dn);
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
