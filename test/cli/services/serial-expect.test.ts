import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/shared/user-error.js';
import { compileRegex, expectJson, expectOutput, notMatched, type OutputSource } from '../../../src/cli/services/serial-expect.js';
import type { FollowEnd } from '../../../src/cli/services/serial-follow.js';

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
      expect(err.next).toBeTruthy();
      if (source === 'a' && flags !== 'x') expect(err.next).toContain('g, y and d do not apply');
    }
  });
});

/** An output source the test drives: data, gaps and the end of the session, as the followed line would give them. */
function fakeSource() {
  let handlers: Parameters<OutputSource>[0] | null = null;
  let settle!: { resolve: (end: FollowEnd) => void; reject: (err: Error) => void };
  const done = new Promise<FollowEnd>((resolve, reject) => (settle = { resolve, reject }));
  const state = { stopped: false };
  const start: OutputSource = async (h) => {
    handlers = h;
    return { done, stop: async () => void (state.stopped = true) };
  };
  return {
    start,
    state,
    data: (text: string) => handlers!.onData(Buffer.from(text, 'utf8')),
    gap: (n: number) => handlers!.onGap!(n),
    end: (reason: string) => settle.resolve({ kind: 'ended', reason, session: {} as never }),
    fail: (err: Error) => settle.reject(err),
    started: () => handlers !== null,
  };
}

describe('expectOutput', () => {
  it('resolves with the match, the bytes seen and the offset just past it, and stops the source', async () => {
    const src = fakeSource();
    const outcome = expectOutput(src.start, /\nhi\r\n/, { timeoutMs: 1000, base: 100 });
    await vi.waitFor(() => expect(src.started()).toBe(true));
    src.data('echo hi\r\nh');
    src.data('i\r\nfbay> ');
    const done = await outcome;
    expect(done).toMatchObject({ status: 'matched', offset: 100 + 13 });
    expect(done.seen.toString()).toBe('echo hi\r\nhi\r\n');
    expect(src.state.stopped).toBe(true);
    expect(expectJson(done)).toEqual({ matched: true, match: '\nhi\r\n', groups: [], offset: 113, seen: 'echo hi\r\nhi\r\n' });
  });

  it('matches UTF-8, and --json says what it saw as UTF-8 with byte offsets', async () => {
    const src = fakeSource();
    const outcome = expectOutput(src.start, /wörld/, { timeoutMs: 1000, base: 0 });
    await vi.waitFor(() => expect(src.started()).toBe(true));
    src.data('héllo wörld 🚀');
    const done = await outcome;
    expect(expectJson(done)).toEqual({ matched: true, match: 'wörld', groups: [], offset: Buffer.byteLength('héllo wörld'), seen: 'héllo wörld' });
  });

  it('times out at exactly the timeout with what was seen', async () => {
    vi.useFakeTimers();
    const src = fakeSource();
    let settled = false;
    const outcome = expectOutput(src.start, /never/, { timeoutMs: 5000, base: 0 });
    void outcome.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    src.data('partial output');
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const done = await outcome;
    expect(done).toMatchObject({ status: 'timeout', offset: 14 });
    expect(expectJson(done)).toMatchObject({ matched: false, match: null, groups: [], seen: 'partial output' });
    const err = notMatched(done as Exclude<typeof done, { status: 'matched' }>, /never/, 5000);
    expect(err.exit).toBe(8);
    expect(err.message).toContain('Timed out after 5s');
  });

  it('reports a session that ends first with its reason (exit 1)', async () => {
    const src = fakeSource();
    const outcome = expectOutput(src.start, /never/, { timeoutMs: 1000, base: 0 });
    await vi.waitFor(() => expect(src.started()).toBe(true));
    src.data('bye');
    src.end('idle_timeout');
    const done = await outcome;
    expect(done).toMatchObject({ status: 'ended', reason: 'idle_timeout', offset: 3 });
    const err = notMatched(done as Exclude<typeof done, { status: 'matched' }>, /never/, 1000);
    expect(err.exit).toBe(1);
    expect(err.message).toContain('idle_timeout');
  });

  it('counts lost bytes into the offset and says so', async () => {
    const src = fakeSource();
    const gaps: number[] = [];
    const outcome = expectOutput(src.start, /ok/, { timeoutMs: 1000, base: 10, onGap: (n) => gaps.push(n) });
    await vi.waitFor(() => expect(src.started()).toBe(true));
    src.gap(500);
    src.data('ok');
    expect(await outcome).toMatchObject({ status: 'matched', offset: 10 + 500 + 2 });
    expect(gaps).toEqual([500]);
  });

  it('rejects with exit 130 on Ctrl-C, and with the source\'s error (the daemon stayed away)', async () => {
    const abort = new AbortController();
    const src = fakeSource();
    const interrupted = expectOutput(src.start, /x/, { timeoutMs: 1000, base: 0, signal: abort.signal });
    await vi.waitFor(() => expect(src.started()).toBe(true));
    abort.abort();
    await expect(interrupted).rejects.toMatchObject({ exit: 130 });
    expect(src.state.stopped).toBe(true);

    const gone = fakeSource();
    const failed = expectOutput(gone.start, /x/, { timeoutMs: 1000, base: 0 });
    await vi.waitFor(() => expect(gone.started()).toBe(true));
    gone.fail(new UserError('Lost the fbay daemon', { exit: 3 }));
    await expect(failed).rejects.toMatchObject({ exit: 3 });
  });
});
