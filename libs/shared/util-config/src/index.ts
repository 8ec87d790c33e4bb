export * from './config.js';
export type { LdapConfig } from './ldap-config.js';
export * from './report-schedule.js';
