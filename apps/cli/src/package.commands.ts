import { Option, type Command } from 'commander';
import { fields, segment, withToken, type CommandPlan, type Printed } from './plan.js';
import { bytesOrOff, durationOrOff } from './option-values.js';
import type { Submit } from './submit.js';

/** `yank`, `unyank`, `delete`, `settings`: release management on the upload service (admin role on the project). */
export function registerPackageCommands(program: Command, submit: Submit): void {
  program
    .command('yank')
    .summary('hide a release from installers unless pinned (PEP 592)')
    .description('Yank a release: installers skip it unless a requirement pins it exactly (PEP 592).')
    .argument('<project>', 'project name')
    .argument('<version>', 'release version')
    .option('--reason <text>', 'why, shown to installers')
    .action((project: string, version: string, options: { reason?: string }) => submit(yankPlan(project, version, options.reason ?? '')));

  program
    .command('unyank')
    .summary('make a yanked release installable again')
    .argument('<project>', 'project name')
    .argument('<version>', 'release version')
    .action((project: string, version: string) => submit(unyankPlan(project, version)));

  program
    .command('delete')
    .summary('remove one file; its name can never be used again')
    .argument('<project>', 'project name')
    .argument('<filename>', 'the file, as listed on the project page')
    .option('--force', "also from a non-volatile project (an administrator on '*' only)")
    .action((project: string, filename: string, options: { force?: boolean }) => submit(deletePlan(project, filename, options.force === true)));

  program
    .command('settings')
    .summary("show or change a project's upload policy")
    .description(
      "Show a project's settings, or change them: refuse new files in releases older than a duration (off by default); keep its files from being deleted (--non-volatile; --volatile undoes it and takes an administrator on '*').",
    )
    .argument('<project>', 'project name')
    .option('--close-releases-after <duration|off>', 'a duration such as 14d, 12h, 30m or 10s, or off', durationOrOff)
    .addOption(new Option('--non-volatile', 'its files cannot be deleted (unless forced by an administrator on *)').conflicts('volatile'))
    .option('--volatile', 'its files can be deleted again')
    .option('--upload-limit <bytes|off>', "the largest file it takes, in bytes (at most 1 GiB), instead of the registry's; off: the registry's (an administrator on * only)", bytesOrOff)
    .action((project: string, options: { closeReleasesAfter?: string; nonVolatile?: boolean; volatile?: boolean; uploadLimit?: number | 'off' }) =>
      submit(
        settingsPlan(project, {
          closeReleasesAfter: options.closeReleasesAfter,
          nonVolatile: options.nonVolatile === true ? true : options.volatile === true ? false : undefined,
          uploadLimit: options.uploadLimit,
        }),
      ),
    );
}

const changed = (body: unknown): Printed => ({ stdout: fields(body)['changed'] === true ? 'done\n' : 'nothing to change\n' });
const release = (project: string, version: string): string => `/api/packages/${segment(project)}/releases/${segment(version)}`;

export const yankPlan = (project: string, version: string, reason: string): CommandPlan => ({
  request: { method: 'POST', path: `${release(project, version)}/yank`, body: { reason } },
  credentials: withToken,
  show: changed,
});

export const unyankPlan = (project: string, version: string): CommandPlan => ({
  request: { method: 'POST', path: `${release(project, version)}/unyank` },
  credentials: withToken,
  show: changed,
});

export const deletePlan = (project: string, filename: string, force = false): CommandPlan => ({
  request: { method: 'DELETE', path: `/api/packages/${segment(project)}/files/${segment(filename)}${force ? '?force=true' : ''}` },
  credentials: withToken,
  show: changed,
});

/** With no change given, shows the settings; `closeReleasesAfter: 'off'` turns the rule off. */
export function settingsPlan(
  project: string,
  change: { readonly closeReleasesAfter?: string | undefined; readonly nonVolatile?: boolean | undefined; readonly uploadLimit?: number | 'off' | undefined },
): CommandPlan {
  const { closeReleasesAfter, nonVolatile, uploadLimit } = change;
  const path = `/api/packages/${segment(project)}/settings`;
  const show = (body: unknown): Printed => {
    const answer = fields(body);
    return { stdout: `${JSON.stringify(answer['settings'] ?? answer)}${answer['changed'] === false ? ' (unchanged)' : ''}\n` };
  };
  const body = {
    ...(closeReleasesAfter === undefined ? {} : { closeReleasesAfter: closeReleasesAfter === 'off' ? null : closeReleasesAfter }),
    ...(nonVolatile === undefined ? {} : { nonVolatile }),
    ...(uploadLimit === undefined ? {} : { uploadLimit: uploadLimit === 'off' ? null : uploadLimit }),
  };
  return Object.keys(body).length === 0 ? { request: { method: 'GET', path }, credentials: withToken, show } : { request: { method: 'PUT', path, body }, credentials: withToken, show };
}
