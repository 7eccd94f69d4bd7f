import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { report } from '../../src/cli/cli.js';
import { UserError } from '../../src/shared/user-error.js';
import { VERSION } from '../../src/shared/version.js';
import { startFakeDaemon, type FakeDaemon } from './helpers/fake-daemon.js';
import { captureIo, run } from './helpers/io.js';

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  fake = await startFakeDaemon();
  env = { FBAY_HOME: fake.home };
  fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
});
afterEach(() => fake.close());

describe('fbay (the program)', () => {
  it('takes --json before or after the command', async () => {
    for (const argv of [['--json', 'session', 'list'], ['session', 'list', '--json'], ['session', '--json', 'list']]) {
      const r = await run(argv, env);
      expect(r).toEqual({ code: 0, stdout: '{\n  "sessions": []\n}\n', stderr: '' });
    }
  });

  it('prints its version and help with exit 0', async () => {
    expect(await run(['--version'], env)).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const help = await run(['session', 'create', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--idle-timeout <dur>');
  });

  it.each([
    [['bogus']],
    [['session', 'list', '--bogus']],
    [['session', 'wait']],
    [['config', 'get']],
    [['session']],
    [[]],
  ])('exits 2 on a usage error: %j', async (argv) => {
    const r = await run(argv, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toBe('');
  });

  it('prints API errors as error + hint on stderr, nothing on stdout, even with --json', async () => {
    fake.route('GET', '/v1/auth/me', { status: 402, body: { error: 'Out of credits.', code: 'payment_required' } });
    const r = await run(['account', '--json'], env);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: Out of credits.\nhint: The account is out of credits: see `fbay account`.\n');
  });

  it('fails every command against a daemon of another version with the fix', async () => {
    const other = await startFakeDaemon({ version: '0.0.0-old' });
    try {
      const r = await run(['session', 'list'], { FBAY_HOME: other.home });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: fbay CLI ${VERSION} is talking to daemon 0.0.0-old.\n` +
          'hint: Run `fbay daemon restart` to start the daemon of this version (live sessions are kept).\n',
      );
    } finally {
      await other.close();
    }
  });

  it('refuses a socket path over the OS limit with a hint', async () => {
    const r = await run(['session', 'list'], { FBAY_HOME: `/tmp/${'x'.repeat(110)}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: The daemon socket path is \d+ bytes long/);
    expect(r.stderr).toContain('hint: Set FBAY_HOME');
  });
});

describe('report', () => {
  const ctx = (aborted = false) => {
    const controller = new AbortController();
    if (aborted) controller.abort();
    return { io: captureIo(), env: {}, signal: controller.signal };
  };

  it('maps a UserError to its exit code', () => {
    const c = ctx();
    expect(report(new UserError('Nope.', { exit: 7, next: 'Wait.' }), c)).toBe(7);
    expect(c.io.stderr).toBe('error: Nope.\nhint: Wait.\n');
  });

  it('reports anything else as a bug (exit 1), and anything after Ctrl-C as 130', () => {
    const c = ctx();
    expect(report(new TypeError('x is undefined'), c)).toBe(1);
    expect(c.io.stderr).toContain('error: x is undefined\nhint: this is a bug in fbay');
    const interrupted = ctx(true);
    expect(report(new Error('aborted'), interrupted)).toBe(130);
    expect(interrupted.io.stderr).toBe('');
  });
});

describe('--version, FBAY_HOME', () => {
  it('--version --json prints JSON, in either order', async () => {
    expect(await run(['--version', '--json'], env)).toMatchObject({ code: 0, stdout: `${JSON.stringify({ version: VERSION })}\n` });
    expect(await run(['--json', '-V'], env)).toMatchObject({ code: 0, stdout: `${JSON.stringify({ version: VERSION })}\n` });
  });

  it('FBAY_HOME pointing at a file says so (exit 2), not `daemon restart`', async () => {
    const file = join(mkdtempSync('/tmp/fbay-f-'), 'a-file');
    writeFileSync(file, '');
    const r = await run(['session', 'list'], { FBAY_HOME: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: FBAY_HOME is ${file}, which is a file, not a directory.`);
    expect(r.stderr).not.toContain('daemon restart');
    expect((await run(['config', 'get', 'idle_timeout_s'], { FBAY_HOME: join(file, 'sub') })).stderr).toContain('which is under a file');
  });
});
