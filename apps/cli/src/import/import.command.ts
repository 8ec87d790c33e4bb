import { InvalidArgumentError, type Command } from 'commander';
import { positiveNumber } from '../option-values.js';
import { baseUrl } from '../server-discovery.js';
import type { Submit } from '../submit.js';

/** What `quiver import` was asked to do, before credentials are read (pure: from the words alone). */
export interface ImportPlan {
  readonly kind: 'import';
  readonly source: { readonly kind: 'directory'; readonly path: string } | { readonly kind: 'index'; readonly url: string };
  readonly projects?: string;
  /** How the source index is signed in to: a user with a password, or a token, read from standard input. */
  readonly sourceCredentials: { readonly kind: 'none' } | { readonly kind: 'password'; readonly username: string } | { readonly kind: 'token' };
  readonly concurrency: number;
  readonly dryRun: boolean;
}

interface ImportFlags {
  from?: URL;
  projects?: string;
  username?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
  concurrency: number;
  dryRun?: boolean;
}

/** `--from`: an http(s) URL without credentials (they are read from standard input). */
function sourceUrl(value: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) {
    throw new InvalidArgumentError('Put no credentials in the URL: use --username with --password-stdin, or --token-stdin.');
  }
  return baseUrl(value);
}

/** `import`: a package directory or another index into Quiver (an administrator on '*'). */
export function registerImportCommand(program: Command, submit: Submit): void {
  program
    .command('import')
    .summary('copy a package directory or another index into Quiver')
    .description(
      "Copy every wheel and sdist of a package directory (pypiserver's, or any tree) or of another index's simple API (devpi, pypiserver, Artifactory, Nexus, another Quiver: PEP 691 JSON where offered, else HTML) into Quiver. Takes an administrator's token on '*'.\n\n" +
        'Each file passes the checks an upload does, and its hashes are checked against what the source advertises. Upload times (PEP 700) and yanks (PEP 592) are kept where the source gives them; a file in a directory has its modification time as its upload time. A file Quiver already has with the same sha256 is not copied again: a second run copies nothing, and an interrupted run resumes where it stopped.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  quiver import /srv/pypiserver/packages\n' +
        '  pass show devpi | quiver import --from https://devpi.example/team/prod/+simple/ \\\n      --username ci --password-stdin --projects "acme-*"',
    )
    .argument('[directory]', 'a directory of wheels and sdists (or use --from)')
    .option('--from <index-url>', "another index's simple API root (ends in /simple/ or /+simple/)", sourceUrl)
    .option('--projects <patterns>', "only these projects: comma-separated names or patterns with * and ? ('acme-*,tools')")
    .option('--username <name>', 'sign in to the source index as this user (with --password-stdin)')
    .option('--password-stdin', "read the source index's password from standard input")
    .option('--token-stdin', "read a token for the source index from standard input (sent as user '__token__')")
    .option('--concurrency <n>', 'files copied at once', positiveNumber, 4)
    .option('--dry-run', 'list what would be copied, copy nothing')
    .action((directory: string | undefined, flags: ImportFlags, command: Command) => {
      if ((directory === undefined) === (flags.from === undefined)) {
        command.error('error: import needs a directory or --from <index-url>, not both.');
      }
      if (flags.passwordStdin === true && flags.tokenStdin === true) {
        command.error('error: give --password-stdin or --token-stdin, not both.');
      }
      if ((flags.username !== undefined) !== (flags.passwordStdin === true)) {
        command.error('error: --username and --password-stdin go together.');
      }
      if (directory !== undefined && (flags.username !== undefined || flags.tokenStdin === true)) {
        command.error('error: source credentials are for --from only.');
      }
      submit({
        kind: 'import',
        source: flags.from === undefined ? { kind: 'directory', path: directory ?? '' } : { kind: 'index', url: flags.from.href },
        ...(flags.projects === undefined ? {} : { projects: flags.projects }),
        sourceCredentials:
          flags.username !== undefined ? { kind: 'password', username: flags.username } : flags.tokenStdin === true ? { kind: 'token' } : { kind: 'none' },
        concurrency: Math.min(flags.concurrency, 64),
        dryRun: flags.dryRun === true,
      });
    });
}
