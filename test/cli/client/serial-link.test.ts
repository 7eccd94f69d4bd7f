// The serial link (the console's and the serial commands') over a real WebSocket on a Unix socket, with fake timers wherever timing is asserted.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { MAX_SEND_FRAME } from '../../../src/cli/client/serial-socket.js';
import { SerialLink, type LinkListener, type LinkOptions, type LinkOutcome, type LinkState } from '../../../src/cli/client/serial-link.js';
import type { UserError } from '../../../src/shared/user-error.js';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import { useFakeClock } from '../../transport/reconnect/helpers.js';
import { WsServer } from '../../transport/reconnect/ws-server.js';

const WINDOW_MS = 10_000;
let dir: string;
let server: WsServer;
const links: SerialLink[] = [];

beforeEach(async () => {
  dir = mkdtempSync('/tmp/fbay-link-');
  server = await WsServer.start({ socketPath: join(dir, 's.sock') });
  useFakeClock();
});

afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
  vi.useRealTimers();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function harness(options: Partial<LinkOptions> = {}) {
  const data: Buffer[] = [];
  const states: LinkState[] = [];
  const deadlines: (number | null)[] = [];
  const outcomes: LinkOutcome[] = [];
  let drains = 0;
  const listener: LinkListener = {
    data: (chunk) => data.push(chunk),
    message: () => undefined,
    state: (state, deadline) => {
      states.push(state);
      deadlines.push(deadline);
    },
    done: (outcome) => outcomes.push(outcome),
    drain: () => void drains++,
  };
  const wsUrl = `ws+unix://${join(dir, 's.sock')}:/v1/sessions/ses_x/serial`;
  const link = new SerialLink({ wsUrl, since: 100, windowMs: () => WINDOW_MS, random: () => 0.999, ...options }, listener);
  links.push(link);
  return { link, data, states, deadlines, outcomes, drains: () => drains, urls: () => server.requests.map((r) => r.url) };
}

/** Resolves with the server side of the next connection. */
const nextConnection = () => once(server, 'connection').then(([ws]) => ws as WebSocket);

/** Everything the server side of `ws` receives as binary frames. */
function frames(ws: WebSocket): Buffer[] {
  const got: Buffer[] = [];
  ws.on('message', (data: Buffer, isBinary) => isBinary && got.push(data));
  return got;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await vi.advanceTimersByTimeAsync(1);
}

describe('SerialLink', () => {
  it('counts output offsets (gaps included) and reconnects from the last byte it got', async () => {
    const h = harness();
    const first = nextConnection();
    await h.link.start();
    const ws = await first;
    ws.send(Buffer.from('hello'));
    ws.send(JSON.stringify({ type: 'gap', lost_bytes: 7 }));
    ws.send(Buffer.from('!'));
    await until(() => h.link.offset === 113);
    const second = nextConnection();
    ws.terminate();
    await until(() => h.link.state === 'reconnecting');
    await vi.advanceTimersByTimeAsync(200);
    await second;
    await until(() => h.link.state === 'open');
    expect(h.urls()).toEqual(['/v1/sessions/ses_x/serial?since=100', '/v1/sessions/ses_x/serial?since=113']);
    expect(h.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(Buffer.concat(h.data).toString()).toBe('hello!');
  });

  it('backs off with jitter between tries through the shared socket, and gives up after the idle window with exit 3', async () => {
    const h = harness();
    const first = nextConnection();
    await h.link.start();
    server.mode = 503; // the daemon is back but not serving yet: worth trying again
    (await first).terminate();
    await until(() => h.link.state === 'reconnecting');
    const deadline = h.deadlines.at(-1)!;
    expect(deadline - Date.now()).toBeGreaterThan(WINDOW_MS - 10);
    while (h.outcomes.length === 0) {
      const tries = server.requests.length;
      await vi.advanceTimersToNextTimerAsync();
      // A try is real socket I/O: let it reach the server before time moves on again.
      for (let i = 0; i < 50 && server.requests.length === tries && h.outcomes.length === 0; i++) await new Promise((r) => setImmediate(r));
    }
    expect(Date.now()).toBe(deadline);
    expect(server.requests.length).toBeGreaterThan(8); // about one try a second, the first ones sooner
    const [outcome] = h.outcomes;
    expect(outcome!.kind).toBe('lost');
    const error = (outcome as { error: UserError }).error;
    expect(error.exit).toBe(EXIT.daemon_unavailable);
    expect(error.message).toContain('did not come back within 10s');
    expect(vi.getTimerCount()).toBe(0); // nothing left to fire
  });

  it('stops at once when the daemon refuses to take it back (the session ended meanwhile)', async () => {
    const h = harness();
    const first = nextConnection();
    await h.link.start();
    server.mode = 404;
    (await first).terminate();
    while (h.outcomes.length === 0) await vi.advanceTimersByTimeAsync(50);
    expect(h.outcomes).toEqual([{ kind: 'lost', error: expect.objectContaining({ exit: EXIT.not_found }) }]);
    expect(server.requests).toHaveLength(2);
  });

  it('a first connection that is refused rejects start() with the reason, and done is not called', async () => {
    const h = harness();
    server.mode = 404;
    await expect(h.link.start()).rejects.toMatchObject({ exit: EXIT.not_found, message: expect.stringContaining('ses_x') });
    expect(h.outcomes).toEqual([]);
  });

  it('holds input typed while reconnecting (bounded) and sends it, in order, once back', async () => {
    const h = harness({ holdBytes: 10 });
    const first = nextConnection();
    await h.link.start();
    (await first).terminate();
    await until(() => h.link.state === 'reconnecting');
    expect(h.link.send(Buffer.from('abc'))).toBe(true);
    expect(h.link.send(Buffer.from('defgh'))).toBe(true);
    expect(h.link.send(Buffer.from('too much'))).toBe(false);
    expect(h.link.takeDropped()).toBe(8);
    expect(h.link.takeDropped()).toBe(0);
    const got = frames(await (async () => {
      const second = nextConnection();
      await vi.advanceTimersByTimeAsync(200);
      return second;
    })());
    await until(() => Buffer.concat(got).length === 8);
    expect(Buffer.concat(got).toString()).toBe('abcdefgh');
    await until(() => h.link.queued === 0);
  });

  it('splits big input into frames of at most 64 KiB, and says when the queue drains', async () => {
    const h = harness();
    const first = nextConnection();
    await h.link.start();
    const got = frames(await first);
    h.link.send(Buffer.alloc(MAX_SEND_FRAME + 10, 0x41));
    await until(() => got.length === 2);
    expect(got.map((f) => f.length)).toEqual([MAX_SEND_FRAME, 10]);
    expect(h.drains()).toBeGreaterThan(0);
  });

  it('ends without a reconnect when the daemon said the session ended', async () => {
    const h = harness();
    const first = nextConnection();
    await h.link.start();
    const ws = await first;
    ws.send(JSON.stringify({ type: 'ended', reason: 'user_ended', session: {} }));
    await until(() => h.outcomes.length === 1);
    ws.close(1000, 'session ended');
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.outcomes).toEqual([{ kind: 'ended' }]);
    expect(server.requests).toHaveLength(1);
  });

  it('finds a dead connection with its own heartbeat and reconnects', async () => {
    const h = harness({ pingIntervalMs: 1000, deadAfterMs: 3000 });
    const first = nextConnection();
    await h.link.start();
    const ws = await first;
    // The daemon's end stops answering pings (a frozen peer, a dead network path) without closing.
    ws.pause();
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const second = nextConnection();
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.link.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    await second;
    await until(() => h.link.state === 'open');
  });

  it('close() closes the connection with 1000 and leaves no timer; control messages need an open connection', async () => {
    const h = harness();
    const first = nextConnection();
    await h.link.start();
    const ws = await first;
    const texts: string[] = [];
    ws.on('message', (data: Buffer, isBinary) => !isBinary && texts.push(data.toString()));
    expect(h.link.control({ type: 'reset', mode: 'hard' })).toBe(true);
    await until(() => texts.length === 1);
    expect(JSON.parse(texts[0]!)).toEqual({ type: 'reset', mode: 'hard' });
    const closed = once(ws, 'close');
    await h.link.close();
    expect((await closed)[0]).toBe(1000);
    expect(h.outcomes).toEqual([{ kind: 'closed' }]);
    expect(h.link.control({ type: 'break' })).toBe(false);
    expect(h.link.send(Buffer.from('x'))).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
