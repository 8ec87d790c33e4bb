import type { Command } from 'commander';
import { fields, segment, withToken, type CommandPlan, type Printed } from './plan.js';
import { durationOrOff } from './option-values.js';
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
    .action((project: string, filename: string) => submit(deletePlan(project, filename)));

  program
    .command('settings')
    .summary("show or change a project's upload policy")
    .description("Show a project's settings, or refuse new files in releases older than a duration (off by default).")
    .argument('<project>', 'project name')
    .option('--close-releases-after <duration|off>', 'a duration such as 14d, 12h, 30m or 10s, or off', durationOrOff)
    .action((project: string, options: { closeReleasesAfter?: string }) => submit(settingsPlan(project, options.closeReleasesAfter)));
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

export const deletePlan = (project: string, filename: string): CommandPlan => ({
  request: { method: 'DELETE', path: `/api/packages/${segment(project)}/files/${segment(filename)}` },
  credentials: withToken,
  show: changed,
});

/** `closeReleasesAfter` undefined shows the settings; `off` turns the rule off. */
export function settingsPlan(project: string, closeReleasesAfter: string | undefined): CommandPlan {
  const path = `/api/packages/${segment(project)}/settings`;
  const show = (body: unknown): Printed => {
    const answer = fields(body);
    return { stdout: `${JSON.stringify(answer['settings'] ?? answer)}${answer['changed'] === false ? ' (unchanged)' : ''}\n` };
  };
  return closeReleasesAfter === undefined
    ? { request: { method: 'GET', path }, credentials: withToken, show }
    : { request: { method: 'PUT', path, body: { closeReleasesAfter: closeReleasesAfter === 'off' ? null : closeReleasesAfter } }, credentials: withToken, show };
}
