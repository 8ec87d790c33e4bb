import { InvalidArgumentError, type Command } from 'commander';
import type { CommandPlan } from './plan.js';
import type { Submit } from './submit.js';
import { describeToken, issued } from './token.commands.js';
import { text } from './plan.js';

/** `login`: a directory account's password (from standard input, never argv) for a personal token. */
export function registerLoginCommand(program: Command, submit: Submit): void {
  program
    .command('login')
    .summary('sign in with a directory account and print a personal token (once)')
    .description(
      'Sign in with a directory (LDAP) account. The password is read from standard input, never from the command line;\n' +
        'the personal token is printed once, alone on standard output, and the rest on standard error. No token is needed.\n\n' +
        'Example: export QUIVER_TOKEN="$(pass show ldap/alice | quiver login --username alice --password-stdin)"',
    )
    .option('--username <name>', 'the account name (required)', userName)
    .option('--password-stdin', 'read the password from standard input (required: the only way to give it)')
    .option('--description <text>', "what the token is for, shown in listings (for example the machine's name)")
    // Checked here rather than by commander, so that a mistyped option is named first, and an
    // argument that may be a password is never repeated in the message.
    .allowExcessArguments()
    .action((options: { username?: string; passwordStdin?: boolean; description?: string }, command: Command) => {
      if (command.args.length > 0) {
        command.error('error: login takes no arguments: the password is read from standard input only (--password-stdin).');
      }
      if (options.username === undefined || options.passwordStdin !== true) {
        command.error(`error: login needs ${options.username === undefined ? '--username <name>' : '--password-stdin'}.`);
      }
      submit(loginPlan(options.username ?? '', options.description));
    });
}

function userName(value: string): string {
  if (value === '' || value.includes(':')) {
    throw new InvalidArgumentError('Expected an account name (not empty, no colon).');
  }
  return value;
}

export const loginPlan = (username: string, description: string | undefined): CommandPlan => ({
  request: { method: 'POST', path: '/api/auth/login', body: description === undefined ? {} : { description } },
  credentials: { kind: 'password', username },
  show: issued((answer) => `signed in as ${text(answer['principal'])}: token ${describeToken(answer)}; it is shown this once:`),
});
