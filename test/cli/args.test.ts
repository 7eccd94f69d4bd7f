import { describe, expect, it } from 'vitest';
import {
  createRequest,
  joinEnv,
  keyKind,
  parseIdleTimeout,
  parseMaxCredits,
  parseMetadata,
  parseState,
  parseWait,
} from '../../src/cli/args.js';
import { UserError } from '../../src/shared/user-error.js';

function usageError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exit).toBe(2);
    return err as UserError;
  }
  throw new Error('expected a usage error');
}

describe('parseMetadata', () => {
  it('collects key=value pairs; values may be empty or contain =; a later key wins', () => {
    expect(parseMetadata(['job=12', 'url=a=b', 'empty=', 'job=13'])).toEqual({ job: '13', url: 'a=b', empty: '' });
  });

  it.each(['novalue', '=value', ''])('refuses %j, quoting it', (pair) => {
    expect(usageError(() => parseMetadata([pair])).message).toContain(`'${pair}'`);
  });
});

describe('parseIdleTimeout', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['2h', 7200],
    ['45', 45],
    ['1000ms', 1],
  ])('%s → %d seconds', (text, seconds) => {
    expect(parseIdleTimeout(text)).toBe(seconds);
  });

  it.each(['500ms', '1500ms', '0s', 'soon', '-5s', '1.5s'])('refuses %j with the value quoted', (text) => {
    expect(usageError(() => parseIdleTimeout(text)).message).toContain(`'${text}'`);
  });

  it('refuses more than a day', () => {
    expect(usageError(() => parseIdleTimeout('25h')).message).toContain('at most 24h');
  });
});

describe('parseWait', () => {
  it('keeps the milliseconds for the CLI and rounds wait_s up', () => {
    expect(parseWait('500ms')).toEqual({ ms: 500, seconds: 1 });
    expect(parseWait('5m')).toEqual({ ms: 300_000, seconds: 300 });
  });

  it('refuses a non-duration', () => {
    expect(usageError(() => parseWait('forever')).message).toContain("'forever'");
  });
});

describe('parseMaxCredits and parseState', () => {
  it('takes positive numbers only', () => {
    expect(parseMaxCredits('2.5')).toBe(2.5);
    for (const bad of ['0', '-1', 'lots', '']) usageError(() => parseMaxCredits(bad));
  });

  it('takes the board session states only', () => {
    expect(parseState('active')).toBe('active');
    expect(usageError(() => parseState('ready')).message).toContain("'ready'");
  });
});

describe('createRequest', () => {
  it('maps every flag to the API body', () => {
    expect(
      createRequest({ board: 'virtual', wait: '1m', idleTimeout: '45s', maxCredits: '10', metadata: ['a=1'] }),
    ).toEqual({
      request: { board_type: 'virtual', wait_s: 60, idle_timeout_s: 45, max_credits: 10, metadata: { a: '1' } },
      waitMs: 60_000,
    });
    expect(createRequest({ boardId: 'virtual-2', metadata: [] })).toEqual({ request: { board_id: 'virtual-2' }, waitMs: null });
  });

  it('wants exactly one of --board and --board-id', () => {
    usageError(() => createRequest({}));
    usageError(() => createRequest({ board: 'virtual', boardId: 'virtual-1' }));
  });
});

describe('keyKind and joinEnv', () => {
  it('take a user key (--name) or a host key (--host), never both, and no tier or credits for a host', () => {
    expect(keyKind({ name: 'alice' })).toBe('user');
    expect(keyKind({ host: 'lab1' })).toBe('host');
    expect(usageError(() => keyKind({})).message).toContain('--name NAME');
    expect(usageError(() => keyKind({ name: 'a', host: 'b' })).message).toContain('one of them');
    expect(usageError(() => keyKind({ host: 'lab1', tier: 'pro' })).message).toContain('no tier and no credits');
  });

  it('pass --join, --key and --ca to the daemon, refusing a URL or key that cannot work', () => {
    const key = `key_${'a'.repeat(32)}`;
    expect(joinEnv({})).toEqual({});
    expect(joinEnv({ join: 'wss://lab.example:7070', key, ca: '/etc/ca.pem' })).toEqual({ FBAY_JOIN: 'wss://lab.example:7070', FBAY_JOIN_KEY: key, FBAY_JOIN_CA: '/etc/ca.pem' });
    expect(usageError(() => joinEnv({ join: 'lab.example:7070', key })).message).toContain('wss://HOST:PORT');
    // Several coordinators (one database): passed as given; one bad URL among them is named.
    expect(joinEnv({ join: 'wss://a:7070,wss://b:7070', key })).toEqual({ FBAY_JOIN: 'wss://a:7070,wss://b:7070', FBAY_JOIN_KEY: key });
    expect(usageError(() => joinEnv({ join: 'wss://a:7070,b:7070', key })).message).toContain("got 'b:7070'");
    expect(usageError(() => joinEnv({ join: 'ws://lab:7070' })).message).toContain('--join needs --key');
    expect(usageError(() => joinEnv({ join: 'ws://lab:7070', key: 'nope' })).next).toContain('fbay keys create --host');
    expect(usageError(() => joinEnv({ key })).message).toContain('go with --join');
  });
});
