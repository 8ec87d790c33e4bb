import type { ConnectionOptions } from 'node:tls';
import { assertAttributeName } from './ldap-filter.js';

export interface LdapDirectoryOptions {
  /** `ldap://host:port` or `ldaps://host:port`. */
  readonly url: string;
  /** The service account that searches for users and groups. Required: there is no anonymous search. */
  readonly bindDn: string;
  readonly bindPassword: string;
  /** Where users are searched (subtree). */
  readonly userBaseDn: string;
  /** The attribute a username is matched against. Default `uid` (`sAMAccountName` on AD). */
  readonly usernameAttribute?: string;
  /** Object class every user entry has. Default `person`. */
  readonly userObjectClass?: string;
  /** The immutable id attribute, read explicitly (it is operational). Default `entryUUID`. */
  readonly idAttribute?: string;
  /** Where groups are searched (subtree); groups elsewhere are ignored, memberOf values included. */
  readonly groupBaseDn: string;
  /** Default `groupOfNames`. */
  readonly groupObjectClass?: string;
  /** The attribute holding member DNs. Default `member`. */
  readonly groupMemberAttribute?: string;
  /** The attribute a group's name is read from. Default `cn`. */
  readonly groupNameAttribute?: string;
  /** How many levels of nested groups are followed (1 = direct groups only). Default 10. */
  readonly maxGroupDepth?: number;
  /** Upper bound for a whole `authenticate` or `findUser` call, and for each operation. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Upper bound for opening one connection. Default `timeoutMs`. */
  readonly connectTimeoutMs?: number;
  /** For `ldaps://`; certificates are verified unless these options say otherwise. */
  readonly tlsOptions?: ConnectionOptions;
}

export type ResolvedLdapOptions = Required<Omit<LdapDirectoryOptions, 'tlsOptions'>> & Pick<LdapDirectoryOptions, 'tlsOptions'>;

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

/** Fills in defaults and refuses a configuration that cannot work, at construction rather than at the first login. */
export function resolveLdapOptions(options: LdapDirectoryOptions): ResolvedLdapOptions {
  if (!/^ldaps?:\/\/[^/]+\/?$/i.test(options.url)) {
    throw new Error(`LDAP url must look like ldap://host:port or ldaps://host:port, not ${JSON.stringify(options.url)}.`);
  }
  const timeoutMs = positiveInteger(options.timeoutMs ?? 10_000, 'LDAP timeoutMs');
  return {
    url: options.url,
    bindDn: nonEmpty(options.bindDn, 'LDAP bindDn (the service account)'),
    // Never echoed: only checked for presence (an empty password would be an anonymous bind).
    bindPassword: nonEmpty(options.bindPassword, 'LDAP bindPassword'),
    userBaseDn: nonEmpty(options.userBaseDn, 'LDAP userBaseDn'),
    usernameAttribute: assertAttributeName(options.usernameAttribute ?? 'uid', 'LDAP usernameAttribute'),
    userObjectClass: assertAttributeName(options.userObjectClass ?? 'person', 'LDAP userObjectClass'),
    idAttribute: assertAttributeName(options.idAttribute ?? 'entryUUID', 'LDAP idAttribute'),
    groupBaseDn: nonEmpty(options.groupBaseDn, 'LDAP groupBaseDn'),
    groupObjectClass: assertAttributeName(options.groupObjectClass ?? 'groupOfNames', 'LDAP groupObjectClass'),
    groupMemberAttribute: assertAttributeName(options.groupMemberAttribute ?? 'member', 'LDAP groupMemberAttribute'),
    groupNameAttribute: assertAttributeName(options.groupNameAttribute ?? 'cn', 'LDAP groupNameAttribute'),
    maxGroupDepth: positiveInteger(options.maxGroupDepth ?? 10, 'LDAP maxGroupDepth'),
    timeoutMs,
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs ?? timeoutMs, 'LDAP connectTimeoutMs'),
    tlsOptions: options.tlsOptions,
  };
}
