import type { Command } from 'commander';
import { fields, text, withToken, type CommandPlan, type Printed } from './plan.js';
import { wholeNumber } from './option-values.js';
import type { Submit } from './submit.js';

/** `gc`, `reconcile`: blob maintenance on the upload service (admin role on `*`). */
export function registerMaintenanceCommands(program: Command, submit: Submit): void {
  program
    .command('gc')
    .summary('delete stored blobs no file references')
    .description('Delete stored blobs that no recorded file references and that are older than the grace.')
    .option('--grace-seconds <n>', "only blobs older than this (default: the server's QUIVER_ORPHAN_GRACE_SECONDS)", wholeNumber)
    .action((options: { graceSeconds?: number }) => submit(gcPlan(options.graceSeconds)));

  program
    .command('reconcile')
    .summary("check every live file's stored bytes; exit 1 on findings")
    .description("Check every live file's stored bytes (size and sha256). Exits 1 when any is missing or corrupt.")
    .action(() => submit(reconcilePlan));
}

export const gcPlan = (graceSeconds: number | undefined): CommandPlan => ({
  request: { method: 'POST', path: graceSeconds === undefined ? '/api/maintenance/gc' : `/api/maintenance/gc?graceSeconds=${graceSeconds}` },
  credentials: withToken,
  show: showGc,
});

export const reconcilePlan: CommandPlan = {
  request: { method: 'POST', path: '/api/maintenance/reconcile' },
  credentials: withToken,
  show: showReconcile,
  findings: (body) => findingsOf(body).length > 0,
};

const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

function showGc(body: unknown): Printed {
  const answer = fields(body);
  const removed = list(answer['removed']);
  const lines = removed.map((key) => `removed ${text(key)}`);
  lines.push(`${removed.length} orphan blob(s) removed, ${text(answer['kept'])} of ${text(answer['scanned'])} kept (grace ${text(answer['graceSeconds'])} s)`);
  return { stdout: `${lines.join('\n')}\n` };
}

function findingsOf(body: unknown): string[] {
  const answer = fields(body);
  const line = (label: string) => (finding: unknown): string => {
    const { project, filename, blobKey } = fields(finding);
    return `${label} ${text(project)} ${text(filename)} ${text(blobKey)}`;
  };
  return [...list(answer['missing']).map(line('MISSING')), ...list(answer['corrupt']).map(line('CORRUPT'))];
}

function showReconcile(body: unknown): Printed {
  const answer = fields(body);
  const lines = findingsOf(body);
  lines.push(`${text(answer['checked'])} object(s) checked, ${list(answer['missing']).length} missing, ${list(answer['corrupt']).length} corrupt`);
  return { stdout: `${lines.join('\n')}\n` };
}
