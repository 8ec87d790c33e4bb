import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, type Parsed } from './cli.program.js';
import type { ApiRequest } from './plan.js';

type Run = Extract<Parsed, { kind: 'run' }>;
type Exit = Extract<Parsed, { kind: 'exit' }>;

function run(...argv: string[]): Run {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'run', `${argv.join(' ')}: ${parsed.kind === 'exit' ? parsed.stderr : ''}`);
  return parsed;
}

function exit(...argv: string[]): Exit {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'exit', `${argv.join(' ')} should not run`);
  return parsed;
}

const request = (...argv: string[]): ApiRequest => run(...argv).plan.request;

describe('quiver CLI: unknown options and arguments are usage errors (exit 2), nothing is sent', () => {
  it('refuses a mistyped option and suggests the nearest one', () => {
    const yank = exit('yank', 'p', '1.0', '--reson', 'x');
    assert.equal(yank.code, 2);
    assert.equal(yank.stdout, '');
    assert.match(yank.stderr, /^quiver: unknown option '--reson'\n\(Did you mean --reason\?\)\n\(run 'quiver yank --help' for usage\)\n$/);
    const gc = exit('gc', '--grace-secs', '0');
    assert.equal(gc.code, 2);
    assert.match(gc.stderr, /unknown option '--grace-secs'\n\(Did you mean --grace-seconds\?\)/);
    assert.match(exit('token', 'create', 'ci', '--expire', '30d').stderr, /Did you mean --expires\?/);
    assert.match(exit('token', 'list', '--expirin', '14d').stderr, /Did you mean --expiring\?/);
    assert.match(exit('settings', 'p', '--close-release-after', '14d').stderr, /Did you mean --close-releases-after\?/);
    assert.match(exit('login', '--usernam', 'alice', '--password-stdin').stderr, /Did you mean --username\?/);
  });

  it('refuses extra arguments, missing ones and unknown commands', () => {
    const extra = exit('yank', 'p', '1.0', 'broken build');
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /too many arguments for 'yank'\. Expected 2 arguments but got 3/);
    assert.match(exit('reconcile', 'now').stderr, /too many arguments for 'reconcile'/);
    assert.match(exit('token', 'revoke', 'tk_1', 'tk_2').stderr, /too many arguments for 'revoke'/);
    assert.match(exit('grant', 'u2', 'reader').stderr, /missing required argument 'pattern'/);
    const unknown = exit('yankk', 'p', '1.0');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'yankk'\n\(Did you mean yank\?\)/);
    assert.match(exit('token', 'lst').stderr, /unknown command 'lst'\n\(Did you mean list\?\)/);
  });

  it('refuses option values of the wrong shape, without asking the server', () => {
    assert.match(exit('gc', '--grace-seconds', 'soon').stderr, /argument 'soon' is invalid\. Expected a whole number\./);
    assert.match(exit('settings', 'p', '--close-releases-after', '2 weeks').stderr, /Expected a number and a unit/);
    assert.match(exit('settings', 'p', '--close-releases-after').stderr, /argument missing/);
    assert.match(exit('token', 'create', 'a', '--kind', 'forever').stderr, /'forever' is not one of personal, ci, temporary, emergency/);
    assert.match(exit('token', 'create', 'a', '--expires', '3w').stderr, /Expected a number and a unit, such as 30d/);
    assert.match(exit('token', 'create', 'a', '--permissions', 'install,pub').stderr, /'pub' is not one of install, publish, yank, delete, admin/);
    assert.match(exit('token', 'create', 'a', '--uses', '0').stderr, /at least 1/);
    assert.match(exit('token', 'create', 'a', '--cidr', '10.0.0.0/33').stderr, /'10\.0\.0\.0\/33' is not an address range/);
    assert.match(exit('token', 'create', 'a', '--cidr', 'example.org').stderr, /not an address range/);
    assert.match(exit('token', 'create', 'a', '--packages', 'acme-*,,x').stderr, /without empty items/);
    assert.match(exit('token', 'rotate', 'tk_1', '--grace', 'soon').stderr, /Expected a number and a unit/);
    assert.match(exit('--url', 'ftp://127.0.0.1', 'reconcile').stderr, /Expected an http or https URL/);
    assert.match(exit('--url', 'http://admin:hunter2@127.0.0.1:8080', 'reconcile').stderr, /credentials is not accepted/);
    assert.match(exit('login', '--username', 'a:b', '--password-stdin').stderr, /no colon/);
  });

  it('login needs --username and --password-stdin: the password never comes from the command line', () => {
    assert.match(exit('login', '--password-stdin').stderr, /^quiver: login needs --username <name>\./);
    assert.match(exit('login', '--username', 'alice').stderr, /^quiver: login needs --password-stdin\./);
    for (const typed of [['--password', 'hunter2'], ['--password=hunter2'], ['hunter2']]) {
      const refused = exit('login', '--username', 'alice', '--password-stdin', ...typed);
      assert.equal(refused.code, 2);
      assert.doesNotMatch(refused.stderr, /hunter2/, 'a password typed on the command line is not repeated');
      assert.doesNotMatch(exit('--json', 'login', '--username', 'alice', '--password-stdin', ...typed).stderr, /hunter2/);
    }
    assert.match(exit('login', '--username', 'alice', '--password-stdin', '--password=hunter2').stderr, /unknown option '--password=…'/);
    assert.match(exit('login', '--username', 'alice', '--password-stdin', 'hunter2').stderr, /login takes no arguments: the password is read from standard input only/);
  });

  it('with --json, a usage error is one JSON object on standard error', () => {
    const failed = exit('--json', 'yank', 'p', '1.0', '--reson', 'x');
    assert.equal(failed.code, 2);
    assert.equal(failed.stdout, '');
    assert.deepEqual(JSON.parse(failed.stderr), { ok: false, error: 'usage', message: "unknown option '--reson' (Did you mean --reason?)" });
    assert.deepEqual(JSON.parse(exit('gc', '--json', 'extra').stderr), { ok: false, error: 'usage', message: "too many arguments for 'gc'. Expected 0 arguments but got 1: extra." });
    assert.equal((JSON.parse(exit('--json').stderr) as { error: string }).error, 'usage');
  });
});

describe('quiver CLI: help', () => {
  const leaves = [
    ['yank'], ['unyank'], ['delete'], ['settings'], ['gc'], ['reconcile'], ['grant'], ['revoke'], ['principal'],
    ['token', 'create'], ['token', 'list'], ['token', 'rotate'], ['token', 'revoke'], ['login'], ['access', 'review'], ['security', 'report'],
  ];
  it('-h and --help print each command’s own help on standard output and exit 0', () => {
    for (const command of leaves) {
      for (const flag of ['-h', '--help']) {
        const help = exit(...command, flag);
        assert.equal(help.code, 0, command.join(' '));
        assert.equal(help.stderr, '');
        assert.match(help.stdout, new RegExp(`^Usage: quiver ${command.join(' ')} `), command.join(' '));
        assert.match(help.stdout, /--json/, 'the global options are listed');
        assert.match(help.stdout, /Exit codes: 0 done; 1 the server refused .*\n.*2 usage or configuration error.* 3 the server cannot be reached/);
      }
    }
    const top = exit('--help');
    assert.equal(top.code, 0);
    assert.match(top.stdout, /QUIVER_URL/);
    assert.match(top.stdout, /QUIVER_PORT/);
    assert.match(top.stdout, /QUIVER_DATA_DIR/);
    assert.match(top.stdout, /QUIVER_TOKEN_FILE/);
    assert.match(exit('help', 'yank').stdout, /^Usage: quiver yank /);
  });

  it('no command is a usage error that shows the commands', () => {
    for (const argv of [[], ['token']]) {
      const missing = exit(...argv);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^Usage: quiver /);
      assert.match(missing.stderr, /Commands:/);
    }
  });
});

describe('quiver CLI: each command is one request', () => {
  it('maps release management to the upload service', () => {
    assert.deepEqual(request('yank', 'Acme.Widget', '1.0', '--reason', 'broken build'), { method: 'POST', path: '/api/packages/Acme.Widget/releases/1.0/yank', body: { reason: 'broken build' } });
    assert.deepEqual(request('yank', 'demo', '1.0'), { method: 'POST', path: '/api/packages/demo/releases/1.0/yank', body: { reason: '' } });
    assert.deepEqual(request('unyank', 'demo', '1.0'), { method: 'POST', path: '/api/packages/demo/releases/1.0/unyank' });
    assert.deepEqual(request('delete', 'demo', 'demo-1.0.tar.gz'), { method: 'DELETE', path: '/api/packages/demo/files/demo-1.0.tar.gz' });
    assert.deepEqual(request('delete', 'demo', 'a b#?.whl'), { method: 'DELETE', path: '/api/packages/demo/files/a%20b%23%3F.whl' }, 'every parameter is path-encoded');
    assert.deepEqual(request('settings', 'demo'), { method: 'GET', path: '/api/packages/demo/settings' });
    assert.deepEqual(request('settings', 'demo', '--close-releases-after', '14d'), { method: 'PUT', path: '/api/packages/demo/settings', body: { closeReleasesAfter: '14d' } });
    assert.deepEqual(request('settings', '--close-releases-after', 'off', 'demo'), { method: 'PUT', path: '/api/packages/demo/settings', body: { closeReleasesAfter: null } });
  });

  it('maps blob maintenance', () => {
    assert.deepEqual(request('gc'), { method: 'POST', path: '/api/maintenance/gc' });
    assert.deepEqual(request('gc', '--grace-seconds', '0'), { method: 'POST', path: '/api/maintenance/gc?graceSeconds=0' });
    assert.deepEqual(request('reconcile'), { method: 'POST', path: '/api/maintenance/reconcile' });
  });

  it('maps grants, including grants to directory groups', () => {
    assert.deepEqual(request('grant', 'u2', 'developer', 'acme-*'), { method: 'PUT', path: '/api/auth/principals/u2/grants/developer/acme-*' });
    assert.deepEqual(request('revoke', 'u2', 'reader', '*'), { method: 'DELETE', path: '/api/auth/principals/u2/grants/reader/*' });
    assert.deepEqual(request('grant', 'group:platform devs', 'reader', '*'), { method: 'PUT', path: '/api/auth/principals/group%3Aplatform%20devs/grants/reader/*' });
    assert.deepEqual(request('principal', 'group:platform'), { method: 'GET', path: '/api/auth/principals/group%3Aplatform' });
  });

  it('maps token create with every restriction, repeatable or comma-separated', () => {
    assert.deepEqual(request('token', 'create', 'ci-payments', '--description', 'CI, payments repo'), {
      method: 'POST',
      path: '/api/auth/principals/ci-payments/tokens',
      body: { description: 'CI, payments repo' },
    });
    assert.deepEqual(request('token', 'create', 'alice'), { method: 'POST', path: '/api/auth/principals/alice/tokens', body: {} });
    const full = request(
      'token', 'create', 'alice', '--kind', 'emergency', '--expires', '12h', '--packages', 'acme-*,other', '--packages', 'third',
      '--permissions', 'install', '--permissions', 'yank,delete', '--uses', '5', '--cidr', '10.0.0.0/8,192.168.1.7', '--cidr', '2001:db8::/32',
      '--reason', 'INC-42 hotfix', '--description', 'on call',
    );
    assert.deepEqual(full, {
      method: 'POST',
      path: '/api/auth/principals/alice/tokens',
      body: {
        kind: 'emergency',
        expires: '12h',
        packages: ['acme-*', 'other', 'third'],
        permissions: ['install', 'yank', 'delete'],
        uses: 5,
        cidrs: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'],
        reason: 'INC-42 hotfix',
        description: 'on call',
      },
    });
  });

  it('maps token list, rotate and revoke', () => {
    assert.deepEqual(request('token', 'list'), { method: 'GET', path: '/api/auth/tokens' });
    assert.deepEqual(request('token', 'list', 'alice'), { method: 'GET', path: '/api/auth/tokens?principal=alice' });
    assert.deepEqual(request('token', 'list', '--expiring', '14d'), { method: 'GET', path: '/api/auth/tokens?expiringWithinSeconds=1209600' });
    assert.deepEqual(request('token', 'list', 'group:x', '--expiring', '90m'), { method: 'GET', path: '/api/auth/tokens?principal=group%3Ax&expiringWithinSeconds=5400' });
    assert.deepEqual(request('token', 'rotate', 'tk_0123456789abcdef'), { method: 'POST', path: '/api/auth/tokens/tk_0123456789abcdef/rotate', body: {} });
    assert.deepEqual(request('token', 'rotate', 'tk_0123456789abcdef', '--grace', '1h'), { method: 'POST', path: '/api/auth/tokens/tk_0123456789abcdef/rotate', body: { grace: '1h' } });
    assert.deepEqual(request('token', 'revoke', 'tk_0123456789abcdef'), { method: 'DELETE', path: '/api/auth/tokens/tk_0123456789abcdef' });
  });

  it('maps login to the sign-in endpoint with the account, not a token', () => {
    const login = run('login', '--username', 'alice', '--password-stdin', '--description', 'laptop');
    assert.deepEqual(login.plan.request, { method: 'POST', path: '/api/auth/login', body: { description: 'laptop' } });
    assert.deepEqual(login.plan.credentials, { kind: 'password', username: 'alice' });
    assert.deepEqual(run('login', '--password-stdin', '--username', 'alice').plan.request.body, {});
    assert.deepEqual(run('grant', 'a', 'reader', '*').plan.credentials, { kind: 'token' });
  });

  it('takes --json and --url before or after the command', () => {
    for (const argv of [['--json', 'reconcile'], ['reconcile', '--json'], ['token', 'create', 'a', '--json', '--description', 'x'], ['yank', 'p', '1', '--reason', 'x', '--json']]) {
      assert.equal(run(...argv).json, true, argv.join(' '));
    }
    assert.equal(run('reconcile').json, false);
    assert.equal(run('--url', 'http://127.0.0.1:9000/quiver', 'reconcile').url?.href, 'http://127.0.0.1:9000/quiver');
    assert.equal(run('reconcile', '--url', 'https://registry.internal').url?.href, 'https://registry.internal/');
    assert.equal(run('reconcile').url, undefined);
  });
});

describe('quiver import: what it is asked, from the words alone', () => {
  const plan = (...argv: string[]): Extract<Parsed, { kind: 'import' }>['plan'] => {
    const parsed = parseCommandLine(argv);
    assert.equal(parsed.kind, 'import', `${argv.join(' ')}: ${parsed.kind === 'exit' ? parsed.stderr : ''}`);
    return parsed.plan;
  };

  it('takes a directory, or an index with its credentials from standard input', () => {
    assert.deepEqual(plan('import', '/srv/packages'), { kind: 'import', source: { kind: 'directory', path: '/srv/packages' }, sourceCredentials: { kind: 'none' }, concurrency: 4, dryRun: false });
    assert.deepEqual(plan('import', '--from', 'https://devpi.example/team/prod/+simple/', '--username', 'ci', '--password-stdin', '--projects', 'acme-*', '--concurrency', '8', '--dry-run'), {
      kind: 'import',
      source: { kind: 'index', url: 'https://devpi.example/team/prod/+simple/' },
      projects: 'acme-*',
      sourceCredentials: { kind: 'password', username: 'ci' },
      concurrency: 8,
      dryRun: true,
    });
    assert.deepEqual(plan('import', '--from', 'http://q/simple/', '--token-stdin').sourceCredentials, { kind: 'token' });
  });

  it('refuses what cannot work before anything is read or sent (exit 2)', () => {
    for (const [argv, message] of [
      [['import'], /needs a directory or --from/],
      [['import', 'dir', '--from', 'http://q/simple/'], /not both/],
      [['import', '--from', 'http://q/simple/', '--username', 'ci'], /--username and --password-stdin go together/],
      [['import', '--from', 'http://q/simple/', '--password-stdin', '--token-stdin'], /not both/],
      [['import', 'dir', '--token-stdin'], /source credentials are for --from only/],
      [['import', '--from', 'http://ci:secret@q/simple/'], /Put no credentials in the URL: use --username with --password-stdin/],
      [['--url', 'http://ci:secret@q/', 'import', 'dir'], /A URL with credentials is not accepted/],
      [['import', '--from', 'ftp://q/simple/'], /http or https/],
      [['import', 'dir', '--concurrency', '0'], /at least 1/],
    ] as const) {
      const refused = exit(...argv);
      assert.equal(refused.code, 2, argv.join(' '));
      assert.match(refused.stderr, message, argv.join(' '));
      assert.doesNotMatch(refused.stderr, /secret/);
    }
  });
});
