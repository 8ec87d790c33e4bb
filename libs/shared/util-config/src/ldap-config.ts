/**
 * The `ldap` group of Quiver's configuration (QUIVER_LDAP_*, docs/operations/settings.md): present
 * only when QUIVER_LDAP_URL is set. Problems are added to the caller's list, so start-up reports
 * them together with every other setting's. The bind password is never part of a message.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';

export interface LdapConfig {
  /** `ldap://host:port` or `ldaps://host:port`. */
  readonly url: string;
  /** StartTLS on every `ldap://` connection before anything else is sent; never with `ldaps://`. */
  readonly startTls: boolean;
  /** PEM file of the CA(s) for the directory's certificate (checked readable at start); else Node's built-in list. */
  readonly caFile?: string;
  readonly bindDn: string;
  /** From QUIVER_LDAP_BIND_PASSWORD or the file QUIVER_LDAP_BIND_PASSWORD_FILE names (read at start). */
  readonly bindPassword: string;
  readonly userBaseDn: string;
  /** The whole user filter, with `{username}`. */
  readonly userFilter: string;
  readonly groupBaseDn: string;
  /** The whole group filter, with `{dn}`. */
  readonly groupFilter: string;
  readonly groupNameAttribute: string;
  readonly timeoutMs: number;
}

/**
 * The directory's timing, which every service needs (index and upload check tokens of directory
 * users, and index caches verified passwords) while only the auth service has the connection
 * settings: read whether or not QUIVER_LDAP_URL is set in this process.
 */
export const DIRECTORY_TIMING_SETTINGS = ['QUIVER_LDAP_CACHE_SECONDS', 'QUIVER_LDAP_GRACE_SECONDS'] as const;

export interface DirectoryTiming {
  /** The window within which a directory change takes effect (memberships re-read, passwords re-checked). */
  readonly cacheSeconds: number;
  /** How long directory users' last known groups are trusted while the directory does not answer. */
  readonly graceSeconds: number;
}

export function loadDirectoryTiming(env: Env, problems: string[]): DirectoryTiming {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    cacheSeconds: wholeNumber('QUIVER_LDAP_CACHE_SECONDS', text('QUIVER_LDAP_CACHE_SECONDS'), 300, 0, 86_400, problems),
    graceSeconds: wholeNumber('QUIVER_LDAP_GRACE_SECONDS', text('QUIVER_LDAP_GRACE_SECONDS'), 3600, 0, 604_800, problems),
  };
}

type Env = Readonly<Record<string, string | undefined>>;

const defaultUserFilter = '(uid={username})';
const defaultGroupFilter = '(|(member={dn})(uniqueMember={dn}))';

export function loadLdapConfig(env: Env, problems: string[]): LdapConfig | undefined {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const url = text('QUIVER_LDAP_URL');
  if (url === undefined) {
    const stray = Object.keys(env).filter((name) => name.startsWith('QUIVER_LDAP_') && !(DIRECTORY_TIMING_SETTINGS as readonly string[]).includes(name) && text(name) !== undefined);
    if (stray.length > 0) {
      problems.push(`${stray.sort().join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but QUIVER_LDAP_URL is not: set it to turn LDAP sign-in on, or remove them.`);
    }
    return undefined;
  }
  const before = problems.length;
  const required = (name: string): string => {
    const value = text(name);
    if (value === undefined) {
      problems.push(`${name} is required when QUIVER_LDAP_URL is set.`);
    }
    return value ?? '';
  };
  const scheme = /^(ldaps?):\/\/[^/\s]+\/?$/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    problems.push('QUIVER_LDAP_URL must look like ldap://host:port or ldaps://host:port.');
  }
  const startTlsText = text('QUIVER_LDAP_STARTTLS')?.toLowerCase() ?? 'false';
  if (startTlsText !== 'true' && startTlsText !== 'false') {
    problems.push(`QUIVER_LDAP_STARTTLS must be true or false, not '${startTlsText}'.`);
  }
  const startTls = startTlsText === 'true';
  if (scheme === 'ldaps' && startTls) {
    problems.push('QUIVER_LDAP_STARTTLS=true cannot be combined with an ldaps:// QUIVER_LDAP_URL: that connection is TLS already (one TLS layer). Use one of them.');
  }
  const caFile = text('QUIVER_LDAP_CA_FILE');
  if (caFile !== undefined) {
    checkCaFile(caFile, problems);
    if (scheme === 'ldap' && !startTls) {
      problems.push('QUIVER_LDAP_CA_FILE is set but the connection uses no TLS: use an ldaps:// QUIVER_LDAP_URL or QUIVER_LDAP_STARTTLS=true.');
    }
  }
  const config: LdapConfig = {
    url,
    startTls,
    ...(caFile === undefined ? {} : { caFile }),
    bindDn: required('QUIVER_LDAP_BIND_DN'),
    bindPassword: bindPassword(env, problems),
    userBaseDn: required('QUIVER_LDAP_USER_BASE_DN'),
    userFilter: filterTemplate('QUIVER_LDAP_USER_FILTER', text('QUIVER_LDAP_USER_FILTER') ?? defaultUserFilter, '{username}', problems),
    groupBaseDn: required('QUIVER_LDAP_GROUP_BASE_DN'),
    groupFilter: filterTemplate('QUIVER_LDAP_GROUP_FILTER', text('QUIVER_LDAP_GROUP_FILTER') ?? defaultGroupFilter, '{dn}', problems),
    groupNameAttribute: attributeName('QUIVER_LDAP_GROUP_NAME_ATTRIBUTE', text('QUIVER_LDAP_GROUP_NAME_ATTRIBUTE') ?? 'cn', problems),
    timeoutMs: wholeNumber('QUIVER_LDAP_TIMEOUT_MS', text('QUIVER_LDAP_TIMEOUT_MS'), 10_000, 1, 600_000, problems),
  };
  return problems.length === before ? config : undefined;
}

/** Exactly one of the value or the file; the file is read now and loses one trailing newline (as `echo` writes it). */
function bindPassword(env: Env, problems: string[]): string {
  const value = env['QUIVER_LDAP_BIND_PASSWORD'] === '' ? undefined : env['QUIVER_LDAP_BIND_PASSWORD'];
  const file = env['QUIVER_LDAP_BIND_PASSWORD_FILE']?.trim() || undefined;
  if (value !== undefined && file !== undefined) {
    problems.push('Set QUIVER_LDAP_BIND_PASSWORD or QUIVER_LDAP_BIND_PASSWORD_FILE, not both.');
    return '';
  }
  if (value === undefined && file === undefined) {
    problems.push('QUIVER_LDAP_BIND_PASSWORD or QUIVER_LDAP_BIND_PASSWORD_FILE is required when QUIVER_LDAP_URL is set (there is no anonymous search).');
    return '';
  }
  let password = value ?? '';
  if (file !== undefined) {
    try {
      password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`QUIVER_LDAP_BIND_PASSWORD_FILE '${file}' cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      return '';
    }
  }
  if (password.trim() === '') {
    // An empty password would make the service bind anonymous (RFC 4513 §5.1.2).
    problems.push(`The LDAP bind password (${file === undefined ? 'QUIVER_LDAP_BIND_PASSWORD' : `the file QUIVER_LDAP_BIND_PASSWORD_FILE names`}) is empty.`);
  }
  return password;
}

function checkCaFile(path: string, problems: string[]): void {
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile() || !readFileSync(path, 'utf8').includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`QUIVER_LDAP_CA_FILE '${path}' holds no PEM certificate.`);
    }
  } catch (error) {
    problems.push(`QUIVER_LDAP_CA_FILE '${path}' cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

/**
 * The template holds its placeholder and is one filter in parentheses whose parentheses balance
 * (values escape theirs as \28 \29). The directory adapter parses it fully when it is built.
 */
function filterTemplate(name: string, template: string, placeholder: string, problems: string[]): string {
  if (!template.includes(placeholder)) {
    problems.push(`${name} must contain ${placeholder}, e.g. ${placeholder === '{dn}' ? defaultGroupFilter : defaultUserFilter}.`);
    return template;
  }
  let depth = 0;
  let closedEarly = false;
  for (const [index, character] of [...template].entries()) {
    depth += character === '(' ? 1 : character === ')' ? -1 : 0;
    closedEarly ||= depth <= 0 && index < [...template].length - 1;
  }
  if (!template.startsWith('(') || depth !== 0 || closedEarly) {
    problems.push(`${name} must be one LDAP filter in parentheses, with balanced parentheses, e.g. (&(objectClass=person)(uid={username})).`);
  }
  return template;
}

function attributeName(name: string, value: string, problems: string[]): string {
  if (!/^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/.test(value)) {
    problems.push(`${name} must be an LDAP attribute name, not '${value.slice(0, 60)}'.`);
  }
  return value;
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, not '${raw.slice(0, 40)}'.`);
    return fallback;
  }
  return value;
}
