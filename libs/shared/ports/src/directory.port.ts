/** The company directory that people sign in with (LDAP). */
export interface DirectoryGroup {
  readonly dn: string;
  readonly name: string;
}

export interface DirectoryUser {
  /** The directory's immutable id (entryUUID by default), so renames and case variants map to one person. */
  readonly id: string;
  readonly dn: string;
  /** The username as the directory spells it (read from the attribute the user filter compares). */
  readonly username: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly groups: readonly DirectoryGroup[];
}

export interface Directory {
  /**
   * Verifies a password by binding as the user. Resolves `undefined` for a wrong password, an
   * unknown or ambiguous user, or an empty password (which is never sent to the server).
   * Rejects with `DirectoryUnavailableError` when the directory cannot be reached.
   */
  authenticate(username: string, password: string): Promise<DirectoryUser | undefined>;
  /** Looks a user up by username without their password (service-account search); `undefined` for unknown or ambiguous. */
  findUser(username: string): Promise<DirectoryUser | undefined>;
  /**
   * Looks a user up by their immutable id (`DirectoryUser.id`), for periodic re-reads of group
   * membership and for renames: the entry comes back with its current username and groups.
   * Resolves `undefined` when no entry has the id or the user filter no longer admits it
   * (deleted, disabled, moved out of scope). Rejects with `DirectoryUnavailableError` when the
   * directory cannot be reached.
   */
  findUserById(id: string): Promise<DirectoryUser | undefined>;
  close(): Promise<void>;
}

export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
}
