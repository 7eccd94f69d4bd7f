import { describe, expect, it } from 'vitest';
import { parseFilesOperands, workspacePath } from '../../../src/cli/services/sandbox-files.js';
import { parseProcessOperands } from '../../../src/cli/services/sandbox-processes.js';
import { thrown } from '../../helpers/thrown.js';

const fail = thrown;

describe('parseFilesOperands', () => {
  it('takes an optional id before the action (the actions are fixed words)', () => {
    expect(parseFilesOperands(['ls'])).toEqual({ id: undefined, op: { action: 'ls', path: '' } });
    expect(parseFilesOperands(['ses_abc', 'ls', 'src'])).toEqual({ id: 'ses_abc', op: { action: 'ls', path: 'src' } });
    expect(parseFilesOperands(['get', 'a.txt'])).toEqual({ id: undefined, op: { action: 'get', path: 'a.txt', dest: undefined } });
    expect(parseFilesOperands(['ses_abc', 'get', 'a.txt', 'out.txt'])).toEqual({ id: 'ses_abc', op: { action: 'get', path: 'a.txt', dest: 'out.txt' } });
    expect(parseFilesOperands(['put', '-', 'b.txt'])).toEqual({ id: undefined, op: { action: 'put', source: '-', path: 'b.txt' } });
    expect(parseFilesOperands(['rm', 'b.txt'])).toEqual({ id: undefined, op: { action: 'rm', path: 'b.txt' } });
  });

  it('refuses an unknown action, a missing one and the wrong number of paths (exit 2)', () => {
    expect(fail(() => parseFilesOperands(['ses_abc', 'cat', 'x']))).toMatchObject({ exit: 2, message: "'cat' is not a files action; use ls, get, put or rm." });
    expect(fail(() => parseFilesOperands(['ses_abc']))).toMatchObject({ exit: 2, message: 'Say what to do: ls, get, put or rm.' });
    expect(fail(() => parseFilesOperands(['put', 'a']))).toMatchObject({ exit: 2, message: '`files put` takes 2 paths; got 1.' });
    expect(fail(() => parseFilesOperands(['rm']))).toMatchObject({ exit: 2, message: '`files rm` takes 1 path; got 0.' });
    expect(fail(() => parseFilesOperands(['ls', 'a', 'b']))).toMatchObject({ exit: 2, message: '`files ls` takes 0 to 1 path; got 2.' });
  });
});

describe('workspacePath', () => {
  it('makes /workspace/a and a the same path', () => {
    expect(workspacePath('/workspace/a/b.txt')).toBe('a/b.txt');
    expect(workspacePath('/workspace')).toBe('');
    expect(workspacePath('a/b.txt')).toBe('a/b.txt');
  });

  it('refuses another absolute path and `..` rather than quietly making them paths inside', () => {
    expect(fail(() => workspacePath('/etc/passwd'))).toMatchObject({ exit: 2, message: '/etc/passwd is outside /workspace; give a path relative to /workspace (or starting with /workspace/).' });
    expect(fail(() => workspacePath('/workspacex/a'))).toMatchObject({ exit: 2 });
    expect(fail(() => workspacePath('a/../../etc/passwd'))).toMatchObject({ exit: 2, message: 'a/../../etc/passwd contains "..": give a path inside /workspace without it.' });
  });
});

describe('parseProcessOperands', () => {
  it('[ID] PID, and --since as a byte offset', () => {
    expect(parseProcessOperands(['12'])).toEqual({ id: undefined, pid: 12, since: 0 });
    expect(parseProcessOperands(['ses_abc', '12'], '4096')).toEqual({ id: 'ses_abc', pid: 12, since: 4096 });
  });

  it('refuses a missing or bad pid and a bad offset (exit 2)', () => {
    expect(fail(() => parseProcessOperands([]))).toMatchObject({ exit: 2, message: "Give a pid, after the sandbox id if you name one; got ''." });
    expect(fail(() => parseProcessOperands(['ses_abc', 'web']))).toMatchObject({ exit: 2, message: "'web' is not a process id." });
    expect(fail(() => parseProcessOperands(['1'], '-5'))).toMatchObject({ exit: 2, message: "--since must be a byte offset (a whole number, 0 or more); got '-5'." });
  });
});
