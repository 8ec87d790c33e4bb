/** `quiver <command> …` parsed into a request against the admin API. Pure. */
export type CliCommand =
  | { readonly kind: 'yank'; readonly project: string; readonly version: string; readonly reason: string }
  | { readonly kind: 'unyank'; readonly project: string; readonly version: string }
  | { readonly kind: 'delete'; readonly project: string; readonly filename: string }
  | { readonly kind: 'help' };

export const USAGE = `Usage:
  quiver yank <project> <version> [--reason <text>]   hide a release from installers unless pinned (PEP 592)
  quiver unyank <project> <version>
  quiver delete <project> <filename>                   remove one file; its name can never be used again

Environment: QUIVER_URL (default http://127.0.0.1:8080), QUIVER_TOKEN, or QUIVER_TOKEN_FILE
(default ./.quiver/admin-token).`;

export function parseCli(argv: readonly string[]): CliCommand | { readonly error: string } {
  const [command, ...rest] = argv;
  const positional = rest.filter((arg, index) => !arg.startsWith('--') && rest[index - 1] !== '--reason');
  const reasonAt = rest.indexOf('--reason');
  const reason = reasonAt >= 0 ? (rest[reasonAt + 1] ?? '') : '';
  const [first, second] = positional;
  switch (command) {
    case 'yank':
      return first && second ? { kind: 'yank', project: first, version: second, reason } : { error: 'yank takes <project> <version>' };
    case 'unyank':
      return first && second ? { kind: 'unyank', project: first, version: second } : { error: 'unyank takes <project> <version>' };
    case 'delete':
      return first && second ? { kind: 'delete', project: first, filename: second } : { error: 'delete takes <project> <filename>' };
    case undefined:
    case 'help':
    case '--help':
      return { kind: 'help' };
    default:
      return { error: `unknown command '${command}'` };
  }
}

export function toRequest(command: Exclude<CliCommand, { kind: 'help' }>): { method: 'POST' | 'DELETE'; path: string; body?: string } {
  const p = encodeURIComponent(command.project);
  switch (command.kind) {
    case 'yank':
      return { method: 'POST', path: `/api/packages/${p}/releases/${encodeURIComponent(command.version)}/yank`, body: JSON.stringify({ reason: command.reason }) };
    case 'unyank':
      return { method: 'POST', path: `/api/packages/${p}/releases/${encodeURIComponent(command.version)}/unyank` };
    case 'delete':
      return { method: 'DELETE', path: `/api/packages/${p}/files/${encodeURIComponent(command.filename)}` };
  }
}
