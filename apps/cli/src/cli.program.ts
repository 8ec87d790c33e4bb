import { Command, CommanderError } from 'commander';
import { registerAccessCommands } from './access.commands.js';
import { registerAuditCommands } from './audit.commands.js';
import { registerLoginCommand } from './login.command.js';
import { registerMaintenanceCommands } from './maintenance.commands.js';
import { registerPackageCommands } from './package.commands.js';
import type { CommandPlan } from './plan.js';
import { EXIT, usageError } from './outcome.js';
import { baseUrl } from './server-discovery.js';
import { registerTokenCommands } from './token.commands.js';
import { registerReportCommands } from './report.commands.js';
import { registerImportCommand, type ImportPlan } from './import/import.command.js';

export const ENVIRONMENT = `Server: --url, else QUIVER_URL, else http://127.0.0.1:<QUIVER_PORT, default 8080>
  (or QUIVER_HOST instead of 127.0.0.1 when the server listens on that one address).
Token: QUIVER_TOKEN, else the file QUIVER_TOKEN_FILE, else <QUIVER_DATA_DIR, default
  ./.quiver>/admin-token, the administrator's token the embedded registry creates.
  'quiver login' prints a personal one.
--json: the server's JSON answer on standard output ({"ok":true} when it has none);
  errors as JSON ({"ok":false,"error":…,"message":…}) on standard error.`;

export const EXIT_CODES = `Exit codes: 0 done; 1 the server refused (or reconcile found damage);
  2 usage or configuration error, nothing was sent; 3 the server cannot be reached.`;

export type Parsed =
  | { readonly kind: 'run'; readonly plan: CommandPlan; readonly json: boolean; readonly url?: URL }
  | { readonly kind: 'import'; readonly plan: ImportPlan; readonly json: boolean; readonly url?: URL }
  | { readonly kind: 'exit'; readonly code: number; readonly stdout: string; readonly stderr: string };

function program(submit: (plan: CommandPlan | ImportPlan) => void, output: { out: string; err: string }): Command {
  const root = new Command('quiver')
    .description("Quiver's administration CLI: each command is one request to the registry's admin API (two when it asks for a confirmation first; import sends one per file).")
    .option('--url <url>', 'the registry (overrides QUIVER_URL, QUIVER_HOST and QUIVER_PORT)', baseUrl)
    .option('--json', 'machine-readable output: the JSON the server answered')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => void (output.out += text),
      writeErr: (text) => void (output.err += text),
      outputError: (text, write) => write(unechoed(text).replace(/^error: /, 'quiver: ')),
    })
    .addHelpText('after', `\n${ENVIRONMENT}\n\n${EXIT_CODES}\n`);
  registerPackageCommands(root, submit);
  registerMaintenanceCommands(root, submit);
  registerAccessCommands(root, submit);
  registerTokenCommands(root, submit);
  registerReportCommands(root, submit);
  registerAuditCommands(root, submit);
  registerLoginCommand(root, submit);
  registerImportCommand(root, submit);
  for (const command of [root, ...descendants(root)]) {
    const path = fullName(command);
    command.showHelpAfterError(`(run '${path} --help' for usage)`);
    if (command.commands.length === 0) {
      command.addHelpText('after', `\n${EXIT_CODES}\nServer, token and --json: see 'quiver --help'.\n`);
    }
  }
  return root;
}

/**
 * Commander names an unknown `--option=value` whole, and repeats an invalid option's value; either
 * may be a secret typed in the wrong place (a value, or a password in a URL's user part).
 */
const unechoed = (message: string): string => message.replace(/(unknown option '-[^'=]*)=[^']*'/, "$1=…'").replace(/(\/\/)[^/@\s']*@/g, '$1…@');

const descendants = (command: Command): Command[] => command.commands.flatMap((child) => [child, ...descendants(child)]);

function fullName(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) {
    names.unshift(at.name());
  }
  return names.join(' ');
}

/** Whether `--json` was asked for, judged from the words alone (for errors found before parsing ends). */
const wantsJson = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
};

/** Parses `quiver …`'s arguments: what to run, or what to print and the exit code (help, usage errors). Pure. */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const output = { out: '', err: '' };
  let plan: CommandPlan | ImportPlan | undefined;
  const root = program((submitted) => {
    plan = submitted;
  }, output);
  try {
    root.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      throw error;
    }
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
      return { kind: 'exit', code: EXIT.ok, stdout: output.out, stderr: '' };
    }
    const message = error.code === 'commander.help' ? "a command is missing (run 'quiver --help' for the list)" : unechoed(error.message).replace(/^error: /, '').replace(/\n/g, ' ');
    return { kind: 'exit', code: EXIT.usage, stdout: output.out, stderr: wantsJson(argv) ? usageError(message) : output.err };
  }
  const globals = root.opts<{ url?: URL; json?: boolean }>();
  if (plan === undefined) {
    return { kind: 'exit', code: EXIT.usage, stdout: '', stderr: globals.json ? usageError('a command is missing') : root.helpInformation() };
  }
  const where = { json: globals.json === true, ...(globals.url ? { url: globals.url } : {}) };
  return 'kind' in plan ? { kind: 'import', plan, ...where } : { kind: 'run', plan, ...where };
}
