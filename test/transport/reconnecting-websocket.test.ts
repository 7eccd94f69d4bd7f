// The reconnecting WebSocket over real loopback sockets, with fake timers wherever timing is asserted.
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { ReconnectError, ReconnectingWebSocket, RetryInfo } from '../../src/transport/reconnecting-websocket.js';
import { makeClient, next, useFakeClock } from './reconnect/helpers.js';
import { WsServer } from './reconnect/ws-server.js';

let server: WsServer;
const clients: ReconnectingWebSocket[] = [];

beforeEach(async () => {
  server = await WsServer.start();
  useFakeClock();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  vi.useRealTimers();
  await server.close();
});

function make(options: Parameters<typeof makeClient>[1] = {}) {
  const made = makeClient(() => `ws://127.0.0.1:${server.port}/serial`, options);
  clients.push(made.rws);
  return made;
}

async function openClient(options: Parameters<typeof makeClient>[1] = {}) {
  const made = make(options);
  const opened = once(made.rws, 'open') as Promise<[WebSocket]>;
  made.rws.start();
  const [ws] = await opened;
  return { ...made, ws };
}

/** The server drops the current connection; resolves with the retry the client schedules. */
async function drop(rws: ReconnectingWebSocket): Promise<RetryInfo> {
  const retry = next(rws, 'retry');
  server.last.terminate();
  return (await retry).args[0] as RetryInfo;
}

describe('ReconnectingWebSocket: connecting and relaying', () => {
  it('opens, emits its states, and carries frames both ways', async () => {
    const t0 = Date.now();
    const { rws, states } = make();
    expect(rws.state).toBe('closed');
    expect(rws.send('early')).toBe(false);
    const opened = once(rws, 'open');
    rws.start();
    expect(rws.state).toBe('connecting');
    expect(rws.outage).toEqual({ since: t0, deadline: t0 + 28_000 });
    await opened;
    expect(rws.outage).toBeNull();
    expect(states).toEqual([
      ['connecting', { deadline: t0 + 28_000 }],
      ['open', { attempt: 1 }],
    ]);

    const received = once(server.last, 'message');
    expect(rws.send(Buffer.from([1, 2, 3]))).toBe(true);
    const [data, isBinary] = await received;
    expect([...(data as Buffer)]).toEqual([1, 2, 3]);
    expect(isBinary).toBe(true);

    const messages: Array<[string, boolean]> = [];
    const two = new Promise<void>((resolve) =>
      rws.on('message', (d, binary) => messages.push([d.toString(), binary]) === 2 && resolve()),
    );
    server.last.send(Buffer.from('raw'));
    server.last.send('{"type":"gap","lost_bytes":3}');
    await two;
    expect(messages).toEqual([
      ['raw', true],
      ['{"type":"gap","lost_bytes":3}', false],
    ]);
  });

  it('start() may be called once, and options are checked', () => {
    const { rws } = make();
    rws.start();
    expect(() => rws.start()).toThrow(/once/);
    expect(() => make({ maxDelayMs: undefined })).not.toThrow(); // undefined keeps the default
    expect(() => make({ reconnectWindowMs: 0 })).toThrow(/reconnectWindowMs must be a positive number of ms, got 0/);
  });
});

describe('ReconnectingWebSocket: reconnecting', () => {
  it('reconnects after the server drops the connection, the first retry under 250 ms', async () => {
    const { rws, url, states, ws: first } = await openClient({ random: () => 0.999 });
    const retry = await drop(rws);
    const droppedAt = Date.now();
    expect(rws.state).toBe('reconnecting');
    expect(rws.outage).toEqual({ since: droppedAt, deadline: droppedAt + 28_000 });
    expect(retry).toMatchObject({ attempt: 1, delayMs: 199, deadline: droppedAt + 28_000 });
    expect(retry.delayMs).toBeLessThan(250);
    expect(rws.send('while down')).toBe(false);

    vi.advanceTimersByTime(retry.delayMs - 1);
    expect(url).toHaveBeenCalledTimes(1);
    const reopened = once(rws, 'open') as Promise<[WebSocket]>;
    vi.advanceTimersByTime(1);
    expect(url).toHaveBeenCalledTimes(2);
    const [second] = await reopened;
    expect(second).not.toBe(first);
    expect(server.sockets).toHaveLength(2);
    expect(states.map(([s]) => s)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(states[2]![1]).toEqual({ deadline: droppedAt + 28_000, reason: expect.stringMatching(/code 1006/) });
  });

  it('waits exponentially longer between failed tries, with full jitter, up to maxDelayMs', async () => {
    server.mode = 503;
    const draws = [0.5, 0.5, 0.5, 0.5, 0.5, 0.999, 0, 0.25];
    const tryTimes: number[] = [];
    const { rws } = make({ random: () => draws.shift()!, initialDelayMs: 200, maxDelayMs: 1000 });
    rws.on('retry', () => tryTimes.push(Date.now()));
    const delays: number[] = [];
    const urlTimes: number[] = [];
    server.on('request', () => urlTimes.push(Date.now()));
    rws.start();
    for (let i = 0; i < 8; i++) {
      const retry = (await next(rws, 'retry')).args[0] as RetryInfo;
      expect(retry.error.status).toBe(503);
      expect(retry.attempt).toBe(i + 2);
      delays.push(retry.delayMs);
      vi.advanceTimersByTime(retry.delayMs);
    }
    // caps 200, 400, 800, 1000, 1000… times the drawn fraction
    expect(delays).toEqual([100, 200, 400, 500, 500, 999, 0, 250]);
    // each try starts exactly when its wait ends
    await next(rws, 'retry');
    expect(urlTimes.slice(1).map((t, i) => t - tryTimes[i]!)).toEqual(delays);
  });

  it('calls url() and headers() again for every try, so it resumes where it stopped', async () => {
    let offset = 0;
    let key = 1;
    const { rws, url } = await openClient({
      random: () => 0,
      headers: () => ({ Authorization: `Bearer key_${key++}` }),
    });
    (url as { mockImplementation(f: () => string): void }).mockImplementation(
      () => `ws://127.0.0.1:${server.port}/serial?since=${offset}`,
    );
    rws.on('message', (data) => (offset += data.length));
    const got = once(rws, 'message');
    server.last.send(Buffer.from('hello'));
    await got;

    await drop(rws);
    const reopened = once(rws, 'open');
    vi.advanceTimersByTime(0);
    await reopened;
    expect(url).toHaveBeenCalledTimes(2);
    expect(server.requests.map((r) => r.url)).toEqual(['/serial', '/serial?since=5']);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer key_1', 'Bearer key_2']);
  });
});

describe('ReconnectingWebSocket: the deadline and close()', () => {
  it('gives up exactly when the window after a drop closes, and leaves no timer', async () => {
    const { rws, url } = await openClient({ reconnectWindowMs: 3000 });
    server.mode = 503;
    await drop(rws);
    const droppedAt = Date.now();
    let closedAt = 0;
    let timersAtClose = -1;
    const closed = new Promise<[string, ReconnectError | undefined]>((resolve) =>
      rws.on('closed', (reason, err) => {
        closedAt = Date.now();
        timersAtClose = vi.getTimerCount();
        resolve([reason, err]);
      }),
    );
    const state = (): string => rws.state; // read afresh: timers and sockets change it
    while (state() !== 'closed') {
      vi.advanceTimersToNextTimer();
      if (state() !== 'closed') await next(rws, 'retry', 'closed');
    }
    const [reason, err] = await closed;
    expect(reason).toBe('deadline');
    expect(err?.status).toBe(503);
    expect(closedAt).toBe(droppedAt + 3000);
    expect(timersAtClose).toBe(0);
    expect(url.mock.calls.length).toBeGreaterThan(4);
    expect(rws.outage).toBeNull();

    const tries = url.mock.calls.length;
    vi.advanceTimersByTime(60_000);
    expect(url).toHaveBeenCalledTimes(tries);
  });


  it('reads a window given as a function at the start of each outage', async () => {
    let windowMs = 28_000;
    const { rws } = await openClient({ reconnectWindowMs: () => windowMs });
    windowMs = 4000;
    await drop(rws);
    const droppedAt = Date.now();
    expect(rws.outage).toEqual({ since: droppedAt, deadline: droppedAt + 4000 });
  });
  it('aborts a try still pending when the deadline comes', async () => {
    server.mode = 'hang';
    const { rws, states } = make({ reconnectWindowMs: 3000, connectTimeoutMs: 10_000 });
    const t0 = Date.now();
    const request = once(server, 'request');
    rws.start();
    await request;
    vi.advanceTimersByTime(2999);
    expect(rws.state).toBe('connecting');
    const serverSide = once(server.raw[0]!, 'close');
    vi.advanceTimersByTime(1);
    expect(rws.state).toBe('closed');
    expect(states.at(-1)).toEqual(['closed', { reason: 'deadline' }]);
    expect(Date.now()).toBe(t0 + 3000);
    expect(vi.getTimerCount()).toBe(0);
    await serverSide; // the handshake was really cancelled
  });

  it('abandons a try that does not open within connectTimeoutMs and tries again', async () => {
    server.mode = 'hang';
    const { rws } = make({ connectTimeoutMs: 1000 });
    const request = once(server, 'request');
    rws.start();
    await request;
    const retry = next(rws, 'retry');
    const serverSide = once(server.raw[0]!, 'close');
    vi.advanceTimersByTime(1000);
    expect(((await retry).args[0] as RetryInfo).error.message).toMatch(/no connection after 1000 ms/);
    await serverSide;
    expect(rws.state).toBe('connecting');
  });

  it('close() during a pending try aborts it, stops for good and leaves no timer', async () => {
    server.mode = 'hang';
    const { rws, url } = make();
    const request = once(server, 'request');
    rws.start();
    await request;
    const closed = once(rws, 'closed');
    const serverSide = once(server.raw[0]!, 'close');
    rws.close();
    expect(rws.state).toBe('closed');
    expect(await closed).toEqual(['stopped', undefined]);
    expect(vi.getTimerCount()).toBe(0);
    await serverSide;
    vi.advanceTimersByTime(60_000);
    expect(url).toHaveBeenCalledTimes(1);
  });

  it('close() while waiting to retry cancels the retry', async () => {
    server.mode = 503;
    const { rws, url } = make();
    rws.start();
    await next(rws, 'retry');
    rws.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(url).toHaveBeenCalledTimes(1);
  });

  it('close() on an open connection closes it with 1000 and leaves no timer once it has closed', async () => {
    const { rws, ws } = await openClient();
    const serverClose = once(server.last, 'close');
    const clientClose = once(ws, 'close');
    rws.close();
    expect(rws.send('late')).toBe(false);
    const [code] = await serverClose;
    expect(code).toBe(1000);
    await clientClose;
    expect(vi.getTimerCount()).toBe(0);
    rws.close(); // idempotent
    expect(rws.state).toBe('closed');
  });
});

describe('ReconnectingWebSocket: failures not worth retrying', () => {
  it.each([404, 401])('a handshake refused with HTTP %i ends at once with fatal', async (status) => {
    server.mode = status;
    const { rws, url, states } = make();
    const closed = once(rws, 'closed') as Promise<[string, ReconnectError]>;
    rws.start();
    const [reason, err] = await closed;
    expect(reason).toBe('fatal');
    expect(err.status).toBe(status);
    expect(states.map(([s]) => s)).toEqual(['connecting', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(url).toHaveBeenCalledTimes(1);
  });

  it('the owner decides with retryable(): a 404 retried, a normal close (1000) not', async () => {
    server.mode = 404;
    const retryable = vi.fn((err: ReconnectError) => err.closeCode !== 1000);
    const { rws } = make({ retryable });
    rws.start();
    const retry = (await next(rws, 'retry')).args[0] as RetryInfo;
    expect(retry.error.status).toBe(404);

    server.mode = 'accept';
    const opened = once(rws, 'open');
    vi.advanceTimersByTime(retry.delayMs);
    await opened;
    const closed = once(rws, 'closed') as Promise<[string, ReconnectError]>;
    const serverClosed = once(server.last, 'close');
    server.last.close(1000, 'session ended');
    const [reason, err] = await closed;
    await serverClosed; // ws's own closing-handshake timer on the server side
    expect(reason).toBe('fatal');
    expect(err.closeCode).toBe(1000);
    expect(err.message).toMatch(/session ended/);
    expect(vi.getTimerCount()).toBe(0);
  });
});
