import { describe, expect, it } from 'vitest';
import { execRequest, exitStatus, shellQuote, splitExecOperands } from '../../../src/cli/services/sandbox-exec.js';
import type { SandboxExecResult } from '../../../src/transport/protocol/sandbox-api.js';
import { thrown } from '../../helpers/thrown.js';

const fail = thrown;

describe('splitExecOperands', () => {
  it('takes what came before -- as the id and what came after as the command', () => {
    expect(splitExecOperands(['ses_x', 'ls', '-la'], 2)).toEqual({ id: 'ses_x', argv: ['ls', '-la'] });
    expect(splitExecOperands(['ls', '-la'], 2)).toEqual({ id: undefined, argv: ['ls', '-la'] });
    // --code or --file with an id and no --
    expect(splitExecOperands(['ses_x'], 0)).toEqual({ id: 'ses_x', argv: [] });
    expect(splitExecOperands([], 0)).toEqual({ id: undefined, argv: [] });
  });

  it('refuses more than one word before --, naming them', () => {
    const err = fail(() => splitExecOperands(['ses_x', 'ls', 'extra'], 1));
    expect(err.exit).toBe(2);
    expect(err.message).toBe("Put the command after --; before it comes at most the sandbox id. Got 'ses_x ls'.");
  });
});

describe('shellQuote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(shellQuote('-la')).toBe('-la');
    expect(shellQuote('/workspace/a.txt')).toBe('/workspace/a.txt');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('execRequest', () => {
  it('one word after -- is a shell line as typed; several are quoted into one command', () => {
    expect(execRequest(['echo hi | wc -c'], {})).toEqual({ command: 'echo hi | wc -c' });
    expect(execRequest(['printf', '%s\\n', 'a b', '$X'], {})).toEqual({ command: "printf '%s\\n' 'a b' '$X'" });
  });

  it('--code with an optional language, env, a timeout in whole seconds', () => {
    expect(execRequest([], { code: 'console.log(1)', language: 'js', env: ['A=1', 'B=x=y'], timeout: '2m' })).toEqual({
      code: 'console.log(1)',
      language: 'js',
      env: { A: '1', B: 'x=y' },
      timeout_s: 120,
    });
  });

  it('--file reads the local file; the language comes from its extension unless given', () => {
    const read = (p: string) => `contents of ${p}`;
    expect(execRequest([], { file: 'job.sh' }, read)).toEqual({ code: 'contents of job.sh', language: 'sh' });
    expect(execRequest([], { file: 'a.mjs' }, read)).toEqual({ code: 'contents of a.mjs', language: 'js' });
    expect(execRequest([], { file: 'noext', language: 'ts' }, read)).toEqual({ code: 'contents of noext', language: 'ts' });
    expect(execRequest([], { file: 'noext' }, read)).toEqual({ code: 'contents of noext' });
    const missing = fail(() => execRequest([], { file: '/nope/x.ts' }));
    expect(missing.exit).toBe(2);
    expect(missing.message).toMatch(/^Cannot read --file '\/nope\/x\.ts': ENOENT/);
  });

  it('--background with --restart-on-wake', () => {
    expect(execRequest(['bun', 'run', 'server.ts'], { background: true, restart: true })).toEqual({ command: 'bun run server.ts', background: true, restart: 'on_wake' });
  });

  it('refuses nothing to run, two things to run, and flags that do not go together (exit 2)', () => {
    const cases: [string[], Parameters<typeof execRequest>[1], string][] = [
      [[], {}, 'Say what to run: `-- CMD…`, --code CODE or --file FILE.'],
      [['ls'], { code: '1' }, 'Give one of -- CMD…, --code or --file; got -- CMD and --code.'],
      [[], { code: '1', file: 'a.ts' }, 'Give one of -- CMD…, --code or --file; got --code and --file.'],
      [['ls'], { language: 'ts' }, '-- CMD… runs a shell command; --language ts applies to --code and --file.'],
      [[], { code: '1', language: 'python' }, "--language must be one of ts, js, sh; got 'python'."],
      [[], { code: '1', env: ['=x'] }, "--env must be NAME=VALUE; got '=x'."],
      [[], { code: '1', timeout: '1.5s' }, "--timeout must be a whole number of seconds, at least 1s (like 90s, 30m or 24h); got '1.5s'."],
      [[], { code: '1', timeout: 'soon' }, "--timeout must be a duration like 500ms, 30s, 5m or 2h; got 'soon'."],
      [['x'], { restart: true }, '--restart-on-wake applies to --background processes.'],
      [['x'], { background: true, timeout: '5s' }, 'A --background process has no timeout: it runs until it ends, is killed, or the sandbox sleeps.'],
    ];
    for (const [argv, flags, message] of cases) {
      const err = fail(() => execRequest(argv, flags, () => ''));
      expect({ message: err.message, exit: err.exit }).toEqual({ message, exit: 2 });
    }
  });
});

describe('exitStatus', () => {
  const result = (over: Partial<SandboxExecResult>): SandboxExecResult => ({
    stdout: '',
    stderr: '',
    exit_code: 0,
    signal: null,
    execution_ms: 12,
    timed_out: false,
    oom_killed: false,
    memory_used_mb: 1,
    cpu_ms: 1,
    files_written: [],
    output_truncated: false,
    ...over,
  });

  it("is the command's exit code, 128 + a signal, 8 at the timeout, 137 out of memory", () => {
    expect(exitStatus(result({ exit_code: 0 }))).toEqual({ status: 0, note: null });
    expect(exitStatus(result({ exit_code: 42 }))).toEqual({ status: 42, note: null });
    expect(exitStatus(result({ exit_code: null, signal: 'SIGTERM' }))).toEqual({ status: 143, note: 'The command was ended by SIGTERM.' });
    expect(exitStatus(result({ exit_code: null, signal: 'SIGKILL', timed_out: true, execution_ms: 30_004 }))).toEqual({
      status: 8,
      note: 'The command ran past its timeout (30 s) and was killed with its whole process tree.',
    });
    expect(exitStatus(result({ exit_code: null, signal: 'SIGKILL', oom_killed: true })).status).toBe(137);
  });
});
