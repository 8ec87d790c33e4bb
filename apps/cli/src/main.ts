#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { maintenanceReport, parseCli, toRequest, USAGE } from './cli-args.js';

/** `quiver`: the administrative CLI, a thin client of the registry's admin API. */
async function main(): Promise<number> {
  const parsed = parseCli(process.argv.slice(2));
  if ('error' in parsed) {
    process.stderr.write(`quiver: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const base = process.env['QUIVER_URL'] ?? 'http://127.0.0.1:8080';
  const token = process.env['QUIVER_TOKEN'] ?? (await readFile(process.env['QUIVER_TOKEN_FILE'] ?? '.quiver/admin-token', 'utf8')).trim();
  const request = toRequest(parsed);
  const response = await fetch(new URL(request.path, base), {
    method: request.method,
    headers: {
      authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`,
      accept: 'application/json',
      ...(request.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(request.body ? { body: request.body } : {}),
  });
  const text = await response.text();
  if (!response.ok) {
    const detail = (() => {
      try {
        return (JSON.parse(text) as { detail?: string }).detail ?? text;
      } catch {
        return text;
      }
    })();
    process.stderr.write(`quiver: ${response.status} ${detail.trim()}\n`);
    return 1;
  }
  if (parsed.kind === 'token-create') {
    const issued = JSON.parse(text) as { id: string; principal: string; token: string };
    process.stderr.write(`issued token ${issued.id} for ${issued.principal}; it is shown this once:\n`);
    process.stdout.write(`${issued.token}\n`);
    return 0;
  }
  if (parsed.kind === 'principal') {
    process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    return 0;
  }
  if (parsed.kind === 'grant' || parsed.kind === 'revoke' || parsed.kind === 'token-revoke') {
    process.stdout.write('done\n');
    return 0;
  }
  if (parsed.kind === 'gc' || parsed.kind === 'reconcile') {
    const report = maintenanceReport(parsed.kind, JSON.parse(text));
    process.stdout.write(report.text);
    return report.code;
  }
  const answer = JSON.parse(text) as { changed?: boolean; settings?: unknown };
  if (parsed.kind === 'settings') {
    process.stdout.write(`${JSON.stringify(answer.settings ?? answer)}${answer.changed === false ? ' (unchanged)' : ''}\n`);
    return 0;
  }
  process.stdout.write(answer.changed ? 'done\n' : 'nothing to change\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`quiver: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
