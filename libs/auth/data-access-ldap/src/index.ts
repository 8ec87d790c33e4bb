export { LdapDirectory } from './ldap-directory.js';
export { defaultGroupFilter, defaultUserFilter, type LdapDirectoryOptions } from './ldap-options.js';
export { escapeFilterValue } from './ldap-filter.js';
export { isUsablePassword, normalizeUsername } from './ldap-credentials.js';
