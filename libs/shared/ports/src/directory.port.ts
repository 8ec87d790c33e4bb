/** The company directory that people sign in with (LDAP). */
export interface DirectoryGroup {
  readonly dn: string;
  readonly name: string;
}

export interface DirectoryUser {
  /** The directory's immutable id (entryUUID), so renames and case variants map to one person. */
  readonly id: string;
  readonly dn: string;
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
  /** Looks a user up without their password (service-account search). */
  findUser(username: string): Promise<DirectoryUser | undefined>;
  close(): Promise<void>;
}

export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
}
