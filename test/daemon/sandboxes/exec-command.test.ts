import { describe, expect, it } from 'vitest';
import { buildCommand, checkEnv, MAX_ENV } from '../../../src/daemon/sandboxes/exec-command.js';

const base = { PATH: '/usr/bin', HOME: '/workspace' };

describe('buildCommand', () => {
  it('runs code with Bun reading it on stdin, and commands with /bin/sh -c', () => {
    expect(buildCommand({ code: 'console.log(1)\nmore' }, base, '/b')).toEqual({ argv: ['/b', 'run', '-'], env: base, language: 'ts', label: 'console.log(1)', stdin: 'console.log(1)\nmore' });
    expect(buildCommand({ code: 'x', language: 'js' }, base, '/b').language).toBe('js');
    expect(buildCommand({ command: 'ls -la' }, base, '/b')).toEqual({ argv: ['/bin/sh', '-c', 'ls -la'], env: base, language: 'sh', label: 'ls -la' });
    expect(buildCommand({ command: 'env', env: { A: '1', HOME: '/x' } }, base, '/b').env).toEqual({ PATH: '/usr/bin', HOME: '/x', A: '1' });
  });

  it('refuses both or neither of code and command, an unknown language, and a command for Bun', () => {
    expect(() => buildCommand({}, base)).toThrow(/exactly one/);
    expect(() => buildCommand({ code: 'a', command: 'b' }, base)).toThrow(/exactly one/);
    expect(() => buildCommand({ code: 'a', language: 'py' as never }, base)).toThrow(/language/);
    expect(() => buildCommand({ command: 'a', language: 'ts' }, base)).toThrow(/runs `code` with Bun/);
  });
});

describe('checkEnv', () => {
  it('takes names and string values, and refuses the rest with the name it got', () => {
    expect(checkEnv({ A_1: 'x' })).toEqual({ A_1: 'x' });
    expect(checkEnv(undefined)).toEqual({});
    expect(() => checkEnv({ '1A': 'x' })).toThrow(/"1A"/);
    expect(() => checkEnv({ A: 1 as never })).toThrow(/A must be a string/);
    expect(() => checkEnv({ A: 'a\0' })).toThrow(/NUL/);
    expect(() => checkEnv(Object.fromEntries(Array.from({ length: MAX_ENV + 1 }, (_, i) => [`V${i}`, '']))))
      .toThrow(/at most 100/);
    expect(() => checkEnv(['x'] as never)).toThrow(/object/);
  });
});
