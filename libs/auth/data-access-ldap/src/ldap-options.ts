import { readFileSync } from 'node:fs';
import { assertAttributeName } from './ldap-filter.js';
import { assertTemplate, dnPlaceholder, usernameAttributeOf, usernamePlaceholder } from './ldap-filter-template.js';

/**
 * What `LdapDirectory` needs. The names match the `ldap` group of Quiver's configuration
 * (`QUIVER_LDAP_*`, docs/operations/settings.md), so that group can be passed as it is.
 */
export interface LdapDirectoryOptions {
  /** `ldap://host:port` or `ldaps://host:port` (TLS from the first byte). */
  readonly url: string;
  /** Upgrade every `ldap://` connection with StartTLS before anything else is sent. Refused with `ldaps://` (one TLS layer). */
  readonly startTls?: boolean;
  /** PEM file of the CA(s) that sign the directory's certificate; without it, Node's built-in CA list. Certificates are always verified. */
  readonly caFile?: string;
  /** The service account that searches for users and groups. Required: there is no anonymous search. */
  readonly bindDn: string;
  readonly bindPassword: string;
  /** Where users are searched (subtree). */
  readonly userBaseDn: string;
  /** The whole user filter, with `{username}` where the (escaped) username goes. Default `(uid={username})`. */
  readonly userFilter?: string;
  /** The immutable id attribute, read explicitly (it is operational). Default `entryUUID`. */
  readonly idAttribute?: string;
  /** Where groups are searched (subtree). */
  readonly groupBaseDn: string;
  /** The whole group filter, with `{dn}` where a member's (escaped) DN goes. Default `(|(member={dn})(uniqueMember={dn}))`. */
  readonly groupFilter?: string;
  /** The attribute a group's name is read from. Default `cn`. */
  readonly groupNameAttribute?: string;
  /** How many levels of nested groups are followed (1 = direct groups only). Default 10. */
  readonly maxGroupDepth?: number;
  /** Upper bound for a whole call, and for each operation in it. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Upper bound for opening one connection. Default `timeoutMs`. */
  readonly connectTimeoutMs?: number;
}

export interface ResolvedLdapOptions {
  readonly url: string;
  readonly tls: 'ldaps' | 'starttls' | 'none';
  /** The CA file's PEM text, read once at construction. */
  readonly ca?: Buffer;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly userBaseDn: string;
  readonly userFilter: string;
  /** Where the username is read back from: the attribute the user filter compares with `{username}`. */
  readonly usernameAttribute: string;
  readonly idAttribute: string;
  readonly groupBaseDn: string;
  readonly groupFilter: string;
  readonly groupNameAttribute: string;
  readonly maxGroupDepth: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
}

export const defaultUserFilter = '(uid={username})';
export const defaultGroupFilter = '(|(member={dn})(uniqueMember={dn}))';

const positiveInteger = (value: number, what: string): number => {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive integer, not ${String(value)}.`);
  }
  return value;
};

const nonEmpty = (value: string, what: string): string => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${what} is required.`);
  }
  return value;
};

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`LDAP caFile ${JSON.stringify(path)} cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/** Fills in defaults and refuses a configuration that cannot work, at construction rather than at the first login. */
export function resolveLdapOptions(options: LdapDirectoryOptions): ResolvedLdapOptions {
  const scheme = /^(ldaps?):\/\/[^/]+\/?$/i.exec(options.url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new Error(`LDAP url must look like ldap://host:port or ldaps://host:port, not ${JSON.stringify(options.url)}.`);
  }
  if (scheme === 'ldaps' && options.startTls === true) {
    // RELIABILITY.md §(d) L18: one TLS layer, refused at start-up rather than failing at the first login.
    throw new Error('LDAP startTls cannot be combined with an ldaps:// url (that connection is TLS already); use one of them.');
  }
  const tls = scheme === 'ldaps' ? 'ldaps' : options.startTls === true ? 'starttls' : 'none';
  if (options.caFile !== undefined && tls === 'none') {
    throw new Error('LDAP caFile is set but the connection uses no TLS: use an ldaps:// url or startTls.');
  }
  const timeoutMs = positiveInteger(options.timeoutMs ?? 10_000, 'LDAP timeoutMs');
  const userFilter = assertTemplate(options.userFilter ?? defaultUserFilter, usernamePlaceholder, 'LDAP userFilter');
  return {
    url: options.url,
    tls,
    ...(options.caFile === undefined ? {} : { ca: readCa(options.caFile) }),
    bindDn: nonEmpty(options.bindDn, 'LDAP bindDn (the service account)'),
    // Never echoed: only checked for presence (an empty password would be an anonymous bind).
    bindPassword: nonEmpty(options.bindPassword, 'LDAP bindPassword'),
    userBaseDn: nonEmpty(options.userBaseDn, 'LDAP userBaseDn'),
    userFilter,
    usernameAttribute: usernameAttributeOf(userFilter),
    idAttribute: assertAttributeName(options.idAttribute ?? 'entryUUID', 'LDAP idAttribute'),
    groupBaseDn: nonEmpty(options.groupBaseDn, 'LDAP groupBaseDn'),
    groupFilter: assertTemplate(options.groupFilter ?? defaultGroupFilter, dnPlaceholder, 'LDAP groupFilter'),
    groupNameAttribute: assertAttributeName(options.groupNameAttribute ?? 'cn', 'LDAP groupNameAttribute'),
    maxGroupDepth: positiveInteger(options.maxGroupDepth ?? 10, 'LDAP maxGroupDepth'),
    timeoutMs,
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs ?? timeoutMs, 'LDAP connectTimeoutMs'),
  };
}
