import { outcomeOf, type AnswerContext } from './answer.js';
import { parseCommandLine } from './cli.program.js';
import { send } from './http-call.js';
import { EXIT, failed, type Result } from './outcome.js';
import { withToken, type CommandPlan, type Credentials, type Paging } from './plan.js';
import type { ImportPlan } from './import/import.command.js';
import { runImport } from './import/import-run.js';
import { displayUrl, findToken, serverUrl, type Environment } from './server-discovery.js';

/** What `quiver` needs from its process, so a run is one function from arguments to output. */
export interface Io {
  readonly env: Environment;
  readonly cwd: string;
  readonly readFile: (path: string) => Promise<string>;
  /** Standard input, whole (for `login --password-stdin`). */
  readonly readStdin: () => Promise<string>;
  readonly stdinIsTerminal: boolean;
  /** Standard error is a terminal (`import` draws a progress bar there). */
  readonly stderrIsTerminal?: boolean;
  /** Asks a question on the terminal and resolves with the line typed (a confirmation); the process's terminal when absent. */
  readonly ask?: (question: string) => Promise<string>;
  /** Writes output as it comes, for commands that page (`audit export`, `audit tail --follow`); without it, output is returned at the end. */
  readonly write?: (stdout: string, stderr: string) => void;
  /** Waits between polls (`audit tail --follow`). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Asks on standard error, reads one line from standard input (a terminal). */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

type Authorization = { readonly ok: true; readonly header: string; readonly tokenSource?: string } | { readonly ok: false; readonly result: Result };

const basic = (user: string, secret: string): string => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

async function authorization(credentials: Credentials, io: Io, json: boolean): Promise<Authorization> {
  if (credentials.kind === 'token') {
    const token = await findToken(io.env, io.cwd, io.readFile);
    return token.ok
      ? { ok: true, header: basic('__token__', token.value.value), tokenSource: token.value.source }
      : { ok: false, result: failed({ kind: 'config', message: token.message }, json) };
  }
  if (io.stdinIsTerminal) {
    const message = 'login reads the password from standard input: pipe it in (for example from a password manager). It is never taken from the command line.';
    return { ok: false, result: failed({ kind: 'usage', message }, json) };
  }
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  if (password === '') {
    return { ok: false, result: failed({ kind: 'usage', message: 'no password on standard input.' }, json) };
  }
  return { ok: true, header: basic(credentials.username, password) };
}

/** `quiver …`: parse, find the server and the credentials, send one request, print its answer. */
export async function run(argv: readonly string[], io: Io): Promise<Result> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'exit') {
    return parsed;
  }
  const { json } = parsed;
  const server = serverUrl(io.env, parsed.url);
  if (!server.ok) {
    return failed({ kind: 'config', message: server.message }, json);
  }
  if (parsed.kind === 'import') {
    return importInto(parsed.plan, server.value, io, json);
  }
  const { plan } = parsed;
  if (plan.confirm && !io.stdinIsTerminal) {
    return failed({ kind: 'usage', message: plan.confirm.refusal }, json);
  }
  const auth = await authorization(plan.credentials, io, json);
  if (!auth.ok) {
    return auth.result;
  }
  const context = { url: displayUrl(server.value), json, ...(auth.tokenSource === undefined ? {} : { tokenSource: auth.tokenSource }) };
  if (plan.confirm) {
    const { question } = plan.confirm;
    let asked: { readonly count: number; readonly text: string } | undefined;
    const previewPlan: CommandPlan = {
      ...plan,
      show: (body) => {
        asked = question(body);
        return {};
      },
    };
    const preview = outcomeOf(previewPlan, await send(server.value, plan.confirm.preview, auth.header), { ...context, json: false });
    if (asked === undefined) {
      return preview;
    }
    if (asked.count === 0) {
      return { code: 0, stdout: json ? `${JSON.stringify({ ok: true, nothing: true })}\n` : '', stderr: 'nothing to do\n' };
    }
    if (!/^\s*y(es)?\s*$/i.test(await (io.ask ?? askOnTerminal)(asked.text))) {
      return { code: 1, stdout: '', stderr: 'quiver: not confirmed; nothing was changed\n' };
    }
  }
  if (plan.paging) {
    return pages(plan, plan.paging, server.value, auth.header, context, io);
  }
  const reply = await send(server.value, plan.request, auth.header);
  return outcomeOf(plan, reply, context);
}

/** `quiver import`: the registry's token (an administrator on '*'), the source's credentials from standard input, then the run. */
async function importInto(plan: ImportPlan, server: URL, io: Io, json: boolean): Promise<Result> {
  const auth = await authorization(withToken, io, json);
  if (!auth.ok) {
    return auth.result;
  }
  let sourceAuthorization: string | undefined;
  if (plan.sourceCredentials.kind !== 'none') {
    const what = plan.sourceCredentials.kind === 'token' ? 'token' : 'password';
    if (io.stdinIsTerminal) {
      return failed({ kind: 'usage', message: `import reads the source's ${what} from standard input: pipe it in. It is never taken from the command line.` }, json);
    }
    const secret = (await io.readStdin()).replace(/\r?\n$/, '');
    if (secret === '') {
      return failed({ kind: 'usage', message: `no ${what} on standard input.` }, json);
    }
    sourceAuthorization = basic(plan.sourceCredentials.kind === 'token' ? '__token__' : plan.sourceCredentials.username, secret);
  }
  return runImport(
    {
      source: plan.source,
      ...(plan.projects === undefined ? {} : { projects: plan.projects }),
      ...(sourceAuthorization === undefined ? {} : { sourceAuthorization }),
      concurrency: plan.concurrency,
      dryRun: plan.dryRun,
    },
    { target: server, targetAuthorization: auth.header, json, stderrIsTerminal: io.stderrIsTerminal === true, writeErr: (text) => (io.write ? io.write('', text) : undefined) },
  );
}

/** Sends a paging plan's requests one after the other, printing each page as it comes (through `io.write` when given). */
async function pages(plan: CommandPlan, paging: Paging, server: URL, header: string, context: AnswerContext, io: Io): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const emit = (result: Result): void => {
    if (io.write) {
      io.write(result.stdout, result.stderr);
    } else {
      stdout += result.stdout;
      stderr += result.stderr;
    }
  };
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let request = plan.request;
  for (let page = 0; ; page += 1) {
    let body: unknown;
    const capturing: CommandPlan = { ...plan, show: (answer, index) => ((body = answer), plan.show(answer, index)) };
    const result = outcomeOf(capturing, await send(server, request, header), { ...context, page });
    if (result.code !== EXIT.ok) {
      emit({ ...result, stdout: '' });
      return { code: result.code, stdout, stderr };
    }
    emit(result);
    // With --json the page was printed as the server sent it, without `show`: read it back.
    const next = paging.next(context.json ? parseBody(result.stdout) : body);
    if (next === undefined) {
      return { code: EXIT.ok, stdout, stderr };
    }
    if (next.delayMs) {
      await sleep(next.delayMs);
    }
    request = next.request;
  }
}

const parseBody = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
