/** `quiver <command> …` parsed into a request against the admin API. Pure. */
export type CliCommand =
  | { readonly kind: 'yank'; readonly project: string; readonly version: string; readonly reason: string }
  | { readonly kind: 'unyank'; readonly project: string; readonly version: string }
  | { readonly kind: 'delete'; readonly project: string; readonly filename: string }
  /** `closeReleasesAfter` undefined: show the settings; `null`: turn the rule off. */
  | { readonly kind: 'settings'; readonly project: string; readonly closeReleasesAfter?: string | null }
  /** `graceSeconds` undefined: the server's configured grace. */
  | { readonly kind: 'gc'; readonly graceSeconds?: number }
  | { readonly kind: 'reconcile' }
  | { readonly kind: 'grant'; readonly principal: string; readonly role: string; readonly pattern: string }
  | { readonly kind: 'revoke'; readonly principal: string; readonly role: string; readonly pattern: string }
  | { readonly kind: 'principal'; readonly principal: string }
  | { readonly kind: 'token-create'; readonly principal: string; readonly description: string }
  | { readonly kind: 'token-revoke'; readonly id: string }
  | { readonly kind: 'help' };

export const USAGE = `Usage:
  quiver yank <project> <version> [--reason <text>]   hide a release from installers unless pinned (PEP 592)
  quiver unyank <project> <version>
  quiver delete <project> <filename>                   remove one file; its name can never be used again
  quiver settings <project> [--close-releases-after <14d|12h|30m|10s|off>]
                                                       show a project's settings, or refuse new files in
                                                       releases older than that (off by default)
  quiver gc [--grace-seconds <n>]                      delete stored blobs no file references, older than
                                                       the grace (default: the server's setting)
  quiver reconcile                                     check every live file's stored bytes (size and
                                                       sha256); exits 1 when any is missing or corrupt
  quiver grant <principal> <role> <pattern>            give a role on the projects a pattern matches:
                                                       role admin, developer, ci (install + publish)
                                                       or reader (install); pattern a project name,
                                                       a prefix such as 'acme-*', or '*'
  quiver revoke <principal> <role> <pattern>           take such a grant back
  quiver principal <principal>                         show a principal's grants and tokens
  quiver token create <principal> [--description <text>]
                                                       issue a token that acts for the principal; it is
                                                       printed once, on standard output
  quiver token revoke <token id>                       the token stops working at once

Environment: QUIVER_URL (default http://127.0.0.1:8080), QUIVER_TOKEN, or QUIVER_TOKEN_FILE
(default ./.quiver/admin-token).`;

export function parseCli(argv: readonly string[]): CliCommand | { readonly error: string } {
  const [command, ...rest] = argv;
  const valued = new Set(['--reason', '--close-releases-after', '--grace-seconds', '--description']);
  const positional = rest.filter((arg, index) => !arg.startsWith('--') && !valued.has(rest[index - 1] ?? ''));
  const option = (name: string): string | undefined => {
    const at = rest.indexOf(name);
    return at >= 0 ? (rest[at + 1] ?? '') : undefined;
  };
  const reason = option('--reason') ?? '';
  const closeAfter = option('--close-releases-after');
  const grace = option('--grace-seconds');
  const [first, second, third] = positional;
  if (rest.includes('--help')) {
    return { kind: 'help' };
  }
  switch (command) {
    case 'yank':
      return first && second ? { kind: 'yank', project: first, version: second, reason } : { error: 'yank takes <project> <version>' };
    case 'unyank':
      return first && second ? { kind: 'unyank', project: first, version: second } : { error: 'unyank takes <project> <version>' };
    case 'delete':
      return first && second ? { kind: 'delete', project: first, filename: second } : { error: 'delete takes <project> <filename>' };
    case 'settings':
      if (!first) {
        return { error: 'settings takes <project>' };
      }
      if (closeAfter === '') {
        return { error: '--close-releases-after takes a duration such as 14d, or off' };
      }
      return closeAfter === undefined
        ? { kind: 'settings', project: first }
        : { kind: 'settings', project: first, closeReleasesAfter: closeAfter === 'off' ? null : closeAfter };
    case 'gc':
      if (grace === undefined) {
        return { kind: 'gc' };
      }
      return /^[0-9]{1,10}$/.test(grace) ? { kind: 'gc', graceSeconds: Number(grace) } : { error: '--grace-seconds takes a whole number of seconds' };
    case 'reconcile':
      return { kind: 'reconcile' };
    case 'grant':
    case 'revoke':
      return first && second && third ? { kind: command === 'grant' ? 'grant' : 'revoke', principal: first, role: second, pattern: third } : { error: `${command} takes <principal> <role> <pattern>` };
    case 'principal':
      return first ? { kind: 'principal', principal: first } : { error: 'principal takes <principal>' };
    case 'token':
      if (first === 'create' && second) {
        return { kind: 'token-create', principal: second, description: option('--description') ?? '' };
      }
      if (first === 'revoke' && second) {
        return { kind: 'token-revoke', id: second };
      }
      return { error: 'token takes create <principal> [--description <text>], or revoke <token id>' };
    case undefined:
    case 'help':
    case '--help':
      return { kind: 'help' };
    default:
      return { error: `unknown command '${command}'` };
  }
}

export function toRequest(command: Exclude<CliCommand, { kind: 'help' }>): { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: string } {
  if (command.kind === 'gc') {
    return { method: 'POST', path: command.graceSeconds === undefined ? '/api/maintenance/gc' : `/api/maintenance/gc?graceSeconds=${command.graceSeconds}` };
  }
  if (command.kind === 'reconcile') {
    return { method: 'POST', path: '/api/maintenance/reconcile' };
  }
  if (command.kind === 'grant' || command.kind === 'revoke') {
    return { method: command.kind === 'grant' ? 'PUT' : 'DELETE', path: `${principalPath(command.principal)}/grants/${encodeURIComponent(command.role)}/${encodeURIComponent(command.pattern)}` };
  }
  if (command.kind === 'principal') {
    return { method: 'GET', path: principalPath(command.principal) };
  }
  if (command.kind === 'token-create') {
    return { method: 'POST', path: `${principalPath(command.principal)}/tokens`, body: JSON.stringify({ description: command.description }) };
  }
  if (command.kind === 'token-revoke') {
    return { method: 'DELETE', path: `/api/auth/tokens/${encodeURIComponent(command.id)}` };
  }
  return packageRequest(command);
}

const principalPath = (principal: string): string => `/api/auth/principals/${encodeURIComponent(principal)}`;

function packageRequest(command: Extract<CliCommand, { project: string }>): { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: string } {
  const p = encodeURIComponent(command.project);
  switch (command.kind) {
    case 'yank':
      return { method: 'POST', path: `/api/packages/${p}/releases/${encodeURIComponent(command.version)}/yank`, body: JSON.stringify({ reason: command.reason }) };
    case 'unyank':
      return { method: 'POST', path: `/api/packages/${p}/releases/${encodeURIComponent(command.version)}/unyank` };
    case 'delete':
      return { method: 'DELETE', path: `/api/packages/${p}/files/${encodeURIComponent(command.filename)}` };
    case 'settings':
      return command.closeReleasesAfter === undefined
        ? { method: 'GET', path: `/api/packages/${p}/settings` }
        : { method: 'PUT', path: `/api/packages/${p}/settings`, body: JSON.stringify({ closeReleasesAfter: command.closeReleasesAfter }) };
  }
}

interface Finding {
  readonly project?: string;
  readonly filename?: string;
  readonly blobKey?: string;
}

/** What `quiver gc` and `quiver reconcile` print for the server's answer, and their exit code. */
export function maintenanceReport(kind: 'gc' | 'reconcile', answer: unknown): { text: string; code: number } {
  if (kind === 'gc') {
    const { removed = [], kept = 0, scanned = 0, graceSeconds } = answer as { removed?: string[]; kept?: number; scanned?: number; graceSeconds?: number };
    const lines = removed.map((key) => `removed ${key}`);
    lines.push(`${removed.length} orphan blob(s) removed, ${kept} of ${scanned} kept (grace ${String(graceSeconds)} s)`);
    return { text: `${lines.join('\n')}\n`, code: 0 };
  }
  const { checked = 0, missing = [], corrupt = [] } = answer as { checked?: number; missing?: Finding[]; corrupt?: Finding[] };
  const line = (label: string) => (finding: Finding): string => `${label} ${finding.project ?? '?'} ${finding.filename ?? '?'} ${finding.blobKey ?? '?'}`;
  const lines = [...missing.map(line('MISSING')), ...corrupt.map(line('CORRUPT'))];
  lines.push(`${checked} object(s) checked, ${missing.length} missing, ${corrupt.length} corrupt`);
  return { text: `${lines.join('\n')}\n`, code: missing.length + corrupt.length > 0 ? 1 : 0 };
}
