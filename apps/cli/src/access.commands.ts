import type { Command } from 'commander';
import { principalPath, segment, withToken, type CommandPlan, type Printed } from './plan.js';
import type { Submit } from './submit.js';

const PRINCIPAL = 'a user, a service account, or group:<name> for a directory group';

/** `grant`, `revoke`, `principal`: roles on projects, on the auth service (admin role on `*`). */
export function registerAccessCommands(program: Command, submit: Submit): void {
  program
    .command('grant')
    .summary('give a principal a role on the projects a pattern matches')
    .description(
      'Give a role on the projects a pattern matches. Roles: admin, developer, ci (install and publish), reader (install).\n' +
        "A pattern is a project name, a prefix such as 'acme-*', or '*'.",
    )
    .argument('<principal>', PRINCIPAL)
    .argument('<role>', 'admin, developer, ci or reader')
    .argument('<pattern>', "a project name, a prefix such as 'acme-*', or '*'")
    .action((principal: string, role: string, pattern: string) => submit(grantPlan('PUT', principal, role, pattern)));

  program
    .command('revoke')
    .summary('take a grant back')
    .argument('<principal>', PRINCIPAL)
    .argument('<role>', 'the granted role')
    .argument('<pattern>', 'the granted pattern')
    .action((principal: string, role: string, pattern: string) => submit(grantPlan('DELETE', principal, role, pattern)));

  program
    .command('principal')
    .summary("show a principal's grants and tokens (never a secret)")
    .argument('<principal>', PRINCIPAL)
    .action((principal: string) => submit(principalPlan(principal)));
}

export const done = (): Printed => ({ stdout: 'done\n' });

export const grantPlan = (method: 'PUT' | 'DELETE', principal: string, role: string, pattern: string): CommandPlan => ({
  request: { method, path: `${principalPath(principal)}/grants/${segment(role)}/${segment(pattern)}` },
  credentials: withToken,
  show: done,
});

export const principalPlan = (principal: string): CommandPlan => ({
  request: { method: 'GET', path: principalPath(principal) },
  credentials: withToken,
  show: (body) => ({ stdout: `${JSON.stringify(body, null, 2)}\n` }),
});
