import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/shared/user-error.js';
import { compileRegex, expectJson, expectOutput, ExpectMatcher, notMatched } from '../../../src/cli/services/serial-expect.js';
import { FakeConnection } from '../helpers/fake-connection.js';

afterEach(() => void vi.useRealTimers());

describe('the regex', () => {
  it('compiles JavaScript syntax with the allowed flags', () => {
    expect(compileRegex('^boot (\\w+)$', 'm').flags).toBe('m');
    expect(compileRegex('READY', 'i').test('ready')).toBe(true);
  });

  it('refuses an invalid pattern or a stateful flag with exit 2, quoting what it got', () => {
    for (const [source, flags, quoted] of [['(', '', "'('"], ['a', 'g', "'g'"], ['a', 'y', "'y'"], ['a', 'x', "'x'"]] as const) {
      const err = (() => {
        try {
          compileRegex(source, flags);
        } catch (e) {
          return e as UserError;
        }
        throw new Error(`compiled ${source} /${flags}`);
      })();
      expect(err).toBeInstanceOf(UserError);
      expect(err.exit).toBe(2);
      expect(err.message).toContain(quoted);
    }
  });
});

describe('ExpectMatcher', () => {
  it('finds a match split across chunks and keeps what was seen up to its end', () => {
    const m = new ExpectMatcher(/login: (\w+)\r\n/);
    expect(m.push(Buffer.from('boot...\r\nlog'))).toBeNull();
    expect(m.push(Buffer.from('in: ro'))).toBeNull();
    expect(m.push(Buffer.from('ot\r'))).toBeNull();
    const match = m.push(Buffer.from('\nafter the match'));
    expect(match?.[1]).toBe('root');
    expect(m.seen).toBe('boot...\r\nlogin: root\r\n');
    expect(m.push(Buffer.from('more'))).toBe(match);
  });

  it('matches bytes one char per byte, whatever they are', () => {
    const m = new ExpectMatcher(/\xff\x00\xc3/);
    expect(m.push(Buffer.from([0x41, 0xff]))).toBeNull();
    expect(m.push(Buffer.from([0x00, 0xc3, 0xa9]))?.index).toBe(1);
    expect(Buffer.from(m.seen, 'latin1')).toEqual(Buffer.from([0x41, 0xff, 0x00, 0xc3]));
  });

  it('lets an empty pattern match before any output', () => {
    expect(new ExpectMatcher(/x*/).check()?.[0]).toBe('');
  });
});

describe('expectOutput', () => {
  it('resolves with the match, the text seen and the offset just past it, and closes the connection', async () => {
    const conn = new FakeConnection();
    const outcome = expectOutput(conn, /\nhi\r\n/, { timeoutMs: 1000, base: 100 });
    conn.data('echo hi\r\nh');
    expect(conn.destroyed).toBe(false);
    conn.data('i\r\nfbay> ');
    const done = await outcome;
    expect(done).toMatchObject({ status: 'matched', seen: 'echo hi\r\nhi\r\n', offset: 100 + 13 });
    expect(conn.destroyed).toBe(true);
    expect(expectJson(done)).toEqual({ matched: true, match: '\nhi\r\n', groups: [], offset: 113, seen: 'echo hi\r\nhi\r\n' });
  });

  it('times out at exactly the timeout with what was seen', async () => {
    vi.useFakeTimers();
    const conn = new FakeConnection();
    let settled = false;
    const outcome = expectOutput(conn, /never/, { timeoutMs: 5000, base: 0 });
    void outcome.then(() => (settled = true));
    conn.data('partial output');
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const done = await outcome;
    expect(done).toEqual({ status: 'timeout', seen: 'partial output', offset: 14 });
    expect(expectJson(done)).toMatchObject({ matched: false, match: null, groups: [] });
    const err = notMatched(done as Exclude<typeof done, { status: 'matched' }>, /never/, 5000);
    expect(err.exit).toBe(8);
    expect(err.message).toContain('Timed out after 5s');
  });

  it('reports a session that ends first with its reason (exit 1)', async () => {
    const conn = new FakeConnection();
    const outcome = expectOutput(conn, /never/, { timeoutMs: 1000, base: 0 });
    conn.data('bye');
    conn.emit({ type: 'message', message: { type: 'ended', reason: 'idle_timeout', session: {} as never } });
    const done = await outcome;
    expect(done).toEqual({ status: 'ended', reason: 'idle_timeout', seen: 'bye', offset: 3 });
    const err = notMatched(done as Exclude<typeof done, { status: 'matched' }>, /never/, 1000);
    expect(err.exit).toBe(1);
    expect(err.message).toContain('idle_timeout');
  });

  it('counts lost bytes into the offset and says so', async () => {
    const conn = new FakeConnection();
    const gaps: number[] = [];
    const outcome = expectOutput(conn, /ok/, { timeoutMs: 1000, base: 10, onGap: (n) => gaps.push(n) });
    conn.emit({ type: 'message', message: { type: 'gap', lost_bytes: 500 } });
    conn.data('ok');
    expect(await outcome).toMatchObject({ status: 'matched', offset: 10 + 500 + 2 });
    expect(gaps).toEqual([500]);
  });

  it('rejects with exit 130 on Ctrl-C, and with the close code when the line closes unannounced', async () => {
    const abort = new AbortController();
    const conn = new FakeConnection();
    const interrupted = expectOutput(conn, /x/, { timeoutMs: 1000, base: 0, signal: abort.signal });
    abort.abort();
    await expect(interrupted).rejects.toMatchObject({ exit: 130 });
    expect(conn.destroyed).toBe(true);

    const closing = new FakeConnection();
    const closed = expectOutput(closing, /x/, { timeoutMs: 1000, base: 0 });
    closing.emit({ type: 'closed', code: 1001, reason: 'daemon stopping' });
    await expect(closed).rejects.toMatchObject({ exit: 3, message: expect.stringContaining('1001 daemon stopping') });
  });
});
