import type { ConnectionOptions } from 'node:tls';
import { Client, InappropriateAuthError, InvalidCredentialsError, UnwillingToPerformError } from 'ldapts';
import { DirectoryUnavailableError } from '@quiver/shared-ports';
import type { ResolvedLdapOptions } from './ldap-options.js';

/** Names the failure without echoing anything sensitive (ldapts messages carry no credentials). */
const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Wraps whatever went wrong talking to the directory, keeping the original as `cause`. */
export function unavailable(what: string, error: unknown): DirectoryUnavailableError {
  if (error instanceof DirectoryUnavailableError) {
    return error;
  }
  return new DirectoryUnavailableError(`LDAP ${what} failed (${describe(error)})`, { cause: error });
}

/**
 * True when the server refused a user's own bind: a wrong password, an entry that cannot
 * authenticate, or a server unwilling to (a disabled account, an unauthenticated bind).
 */
export const isBindRefusal = (error: unknown): boolean =>
  error instanceof InvalidCredentialsError || error instanceof InappropriateAuthError || error instanceof UnwillingToPerformError;

/**
 * The connections of one directory call. Each call opens its own (a service-account connection,
 * and a fresh one for the user's bind) and closes all of them when it ends, however it ends.
 */
export class LdapSession {
  private readonly clients: Client[] = [];

  constructor(private readonly options: ResolvedLdapOptions) {}

  /** A connection bound as the service account; any failure is `DirectoryUnavailableError` (no anonymous fallback). */
  async serviceClient(): Promise<Client> {
    const client = await this.connect();
    try {
      await client.bind(this.options.bindDn, this.options.bindPassword);
    } catch (error) {
      throw unavailable('service-account bind', error);
    }
    return client;
  }

  /**
   * Binds as `dn` with `password` on a new connection. Resolves false when the server refuses
   * the credentials; rejects with `DirectoryUnavailableError` for anything else.
   */
  async verifyPassword(dn: string, password: string): Promise<boolean> {
    const client = await this.connect();
    try {
      await client.bind(dn, password);
      return true;
    } catch (error) {
      if (isBindRefusal(error)) {
        return false;
      }
      throw unavailable('user bind', error);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((client) => client.unbind()));
  }

  /**
   * A new connection, secured before anything else is sent: `ldaps://` is TLS from the first
   * byte; with StartTLS the upgrade completes (certificate verified) before the caller can bind,
   * so a bind never goes out in cleartext (RELIABILITY.md §(d) L7). Certificates are always
   * verified, against `caFile` when given. Referrals are never followed (ldapts does not chase
   * them; continuation references in search results are ignored by the callers).
   */
  private async connect(): Promise<Client> {
    const { url, tls, timeoutMs, connectTimeoutMs } = this.options;
    const client = new Client({
      url,
      timeout: timeoutMs,
      connectTimeout: connectTimeoutMs,
      // Only for ldaps://: ldapts treats any tlsOptions as "connect with TLS", which would break StartTLS.
      ...(tls === 'ldaps' ? { tlsOptions: this.tlsOptions() } : {}),
    });
    this.clients.push(client);
    if (tls === 'starttls') {
      try {
        await client.startTLS(this.tlsOptions());
      } catch (error) {
        throw unavailable('StartTLS', error);
      }
    }
    return client;
  }

  /** A fresh object each time: ldapts adds the socket it upgrades to the options it is given. */
  private tlsOptions(): ConnectionOptions {
    return {
      rejectUnauthorized: true,
      host: new URL(this.options.url).hostname.replace(/^\[(.*)\]$/, '$1'),
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    };
  }
}

/**
 * Runs `work` with its own session, bounded by `timeoutMs` as a whole: when the deadline passes
 * the call rejects with `DirectoryUnavailableError` and the session's connections are closed,
 * which ends whatever `work` was still waiting for.
 */
export async function withSession<T>(options: ResolvedLdapOptions, work: (session: LdapSession) => Promise<T>): Promise<T> {
  const session = new LdapSession(options);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new DirectoryUnavailableError(`LDAP directory did not answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  });
  const running = work(session);
  running.catch(() => undefined); // after a timeout its rejection (closed connections) is expected and dropped
  try {
    return await Promise.race([running, deadline]);
  } catch (error) {
    throw unavailable('request', error);
  } finally {
    clearTimeout(timer);
    await session.close();
  }
}
