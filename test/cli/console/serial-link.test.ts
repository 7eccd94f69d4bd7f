import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { daemonNotRunning } from '../../../src/cli/client/daemon-errors.js';
import { MAX_SEND_FRAME } from '../../../src/cli/client/serial-socket.js';
import { SerialLink, type Connect, type LinkListener, type LinkOutcome } from '../../../src/cli/console/serial-link.js';
import type { LinkState } from '../../../src/cli/console/status-model.js';
import { UserError } from '../../../src/shared/user-error.js';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import type { ClientMessage } from '../../../src/transport/protocol/ws-messages.js';
import { FakeConnection } from '../helpers/fake-connection.js';

class ControlledConnection extends FakeConnection {
  readonly controls: ClientMessage[] = [];
  async control(message: ClientMessage): Promise<void> {
    this.controls.push(message);
  }
}

const WINDOW_MS = 10_000;

function harness(options: { holdBytes?: number } = {}) {
  const connections: ControlledConnection[] = [];
  const attempts: { since: number }[] = [];
  /** What the next tries do: a connection, or an error to throw. Empty: a fresh connection. */
  const script: (Error | 'ok')[] = [];
  const connect: Connect = async (_url, { since }) => {
    attempts.push({ since });
    const next = script.shift() ?? 'ok';
    if (next instanceof Error) throw next;
    const c = new ControlledConnection();
    connections.push(c);
    return c;
  };
  const data: Buffer[] = [];
  const states: LinkState[] = [];
  const outcomes: LinkOutcome[] = [];
  let drains = 0;
  const listener: LinkListener = {
    data: (chunk) => data.push(chunk),
    message: () => undefined,
    state: (state) => states.push(state),
    done: (outcome) => outcomes.push(outcome),
    drain: () => void drains++,
  };
  const link = new SerialLink({ wsUrl: 'ws+unix:///x:/serial', since: 100, windowMs: () => WINDOW_MS, connect, random: () => 1, ...options }, listener);
  return { link, connections, attempts, script, data, states, outcomes, drains: () => drains, last: () => connections.at(-1)! };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('SerialLink', () => {
  it('counts output offsets (gaps included) and reconnects from the last byte it got', async () => {
    const h = harness();
    await h.link.start();
    expect(h.attempts).toEqual([{ since: 100 }]);
    h.last().data('hello');
    h.last().emit({ type: 'message', message: { type: 'gap', lost_bytes: 7 } });
    h.last().data('!');
    expect(h.link.offset).toBe(113);
    h.last().emit({ type: 'closed', code: 1006, reason: '' });
    expect(h.link.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.attempts.at(-1)).toEqual({ since: 113 });
    expect(h.link.state).toBe('open');
    expect(h.states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('backs off with jitter between tries, and gives up after the idle window with exit 3', async () => {
    const h = harness();
    await h.link.start();
    h.script.push(...Array.from({ length: 50 }, () => daemonNotRunning('/x/fbayd.sock')));
    h.last().emit({ type: 'closed', code: 1006, reason: '' });
    const times: number[] = [];
    const start = Date.now();
    while (h.outcomes.length === 0) {
      await vi.advanceTimersToNextTimerAsync();
      times.push(Date.now() - start);
    }
    // Retry delays double from 100 ms up to 2 s (random = 1 gives the top of each range); the last try is at the window.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(times[0]).toBe(100);
    expect(gaps.slice(0, 5)).toEqual([200, 400, 800, 1600, 2000]);
    expect(Date.now() - start).toBe(WINDOW_MS);
    const [outcome] = h.outcomes;
    expect(outcome!.kind).toBe('lost');
    const error = (outcome as { error: UserError }).error;
    expect(error.exit).toBe(EXIT.daemon_unavailable);
    expect(error.message).toContain('did not come back within 10s');
    expect(vi.getTimerCount()).toBe(0); // nothing left to fire
  });

  it('stops at once when the daemon refuses to take it back (the session ended meanwhile)', async () => {
    const h = harness();
    await h.link.start();
    h.script.push(new UserError('Session x has ended (idle_timeout).', { exit: EXIT.not_found, code: 'not_found' }));
    h.last().emit({ type: 'closed', code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(100);
    expect(h.outcomes).toEqual([{ kind: 'lost', error: expect.objectContaining({ exit: EXIT.not_found }) }]);
    expect(h.attempts).toHaveLength(2);
  });

  it('holds input typed while reconnecting (bounded) and sends it, in order, once back', async () => {
    const h = harness({ holdBytes: 10 });
    await h.link.start();
    h.last().emit({ type: 'closed', code: 1006, reason: '' });
    expect(h.link.send(Buffer.from('abc'))).toBe(true);
    expect(h.link.send(Buffer.from('defgh'))).toBe(true);
    expect(h.link.send(Buffer.from('too much'))).toBe(false);
    expect(h.link.takeDropped()).toBe(8);
    expect(h.link.takeDropped()).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(Buffer.concat(h.last().written).toString()).toBe('abcdefgh');
    expect(h.link.queued).toBe(0);
  });

  it('splits big input into frames, and resends a frame whose write failed after the reconnect', async () => {
    const h = harness();
    await h.link.start();
    const first = h.last();
    first.write = async () => {
      throw new Error('socket gone');
    };
    const big = Buffer.alloc(MAX_SEND_FRAME + 10, 0x41);
    h.link.send(big);
    await vi.advanceTimersByTimeAsync(0);
    first.emit({ type: 'closed', code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(100);
    expect(h.last().written.map((f) => f.length)).toEqual([MAX_SEND_FRAME, 10]);
    expect(h.drains()).toBeGreaterThan(0);
  });

  it('ends without a reconnect when the daemon said the session ended', async () => {
    const h = harness();
    await h.link.start();
    h.last().emit({ type: 'message', message: { type: 'ended', reason: 'user_ended', session: {} as never } });
    h.last().emit({ type: 'closed', code: 1000, reason: 'session ended' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.outcomes).toEqual([{ kind: 'ended' }]);
    expect(h.attempts).toHaveLength(1);
  });

  it('close() ends the connection and every try; control messages need an open connection', async () => {
    const h = harness();
    await h.link.start();
    expect(h.link.control({ type: 'reset', mode: 'hard' })).toBe(true);
    expect(h.last().controls).toEqual([{ type: 'reset', mode: 'hard' }]);
    await h.link.close();
    expect(h.last().destroyed).toBe(true);
    expect(h.outcomes).toEqual([{ kind: 'closed' }]);
    expect(h.link.control({ type: 'break' })).toBe(false);
    expect(h.link.send(Buffer.from('x'))).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
