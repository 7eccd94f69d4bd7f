// The heartbeat over real sockets: a stalled path or a peer that stops answering pings is found after deadAfterMs.
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { ReconnectingWebSocket, RetryInfo } from '../../../src/transport/reconnecting-websocket.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { makeClient, next, useFakeClock } from './helpers.js';
import { WsServer } from './ws-server.js';

let server: WsServer | undefined;
let proxy: FaultProxy | undefined;
let client: ReconnectingWebSocket | undefined;

afterEach(async () => {
  client?.close();
  vi.useRealTimers();
  await proxy?.close();
  await server?.close();
  [server, proxy, client] = [undefined, undefined, undefined];
});

async function open(url: () => string) {
  useFakeClock();
  const made = makeClient(url, { pingIntervalMs: 5000, deadAfterMs: 10_000, random: () => 0.5 });
  client = made.rws;
  const opened = once(made.rws, 'open') as Promise<[WebSocket]>;
  made.rws.start();
  const [ws] = await opened;
  return { ...made, ws };
}

/** A real round trip on a separate connection: anything the stalled path would have carried by now, it would have. */
async function roundTrip(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  socket.resume();
  await once(socket, 'close');
}

describe('heartbeat', () => {
  it('declares a stalled connection dead after deadAfterMs and reconnects once the path carries data again', async () => {
    server = await WsServer.start();
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port } });
    const { rws, url } = await open(() => `ws://127.0.0.1:${proxy!.port}/serial`);
    proxy.stall();
    vi.advanceTimersByTime(5000); // the ping goes out into the stall
    await roundTrip(server.port);
    await roundTrip(server.port);
    vi.advanceTimersByTime(4999);
    expect(rws.state).toBe('open');
    const retry = next(rws, 'retry');
    vi.advanceTimersByTime(1);
    expect(rws.state).toBe('reconnecting');
    const info = (await retry).args[0] as RetryInfo;
    expect(info.error.message).toMatch(/no frame or pong for 10000 ms/);

    vi.advanceTimersByTime(info.delayMs); // the new try goes into the stall too, and waits
    expect(url).toHaveBeenCalledTimes(2);
    const reopened = once(rws, 'open');
    proxy.unstall();
    await reopened;
    expect(server.sockets).toHaveLength(2);
  });

  it('declares a peer that stops answering pings dead; any frame from it counts as alive', async () => {
    server = await WsServer.start({ autoPong: false });
    const { rws } = await open(() => `ws://127.0.0.1:${server!.port}/serial`);
    const pinged = once(server.last, 'ping');
    vi.advanceTimersByTime(9000);
    await pinged; // the ping reached it; it just does not answer
    const got = once(rws, 'message');
    server.last.send('still here');
    await got;
    vi.advanceTimersByTime(9999); // 10 s since the ping, 9.999 s since the frame
    expect(rws.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(rws.state).toBe('reconnecting');
    expect(rws.outage?.since).toBe(Date.now());
  });

  it('keeps a connection whose peer answers every ping', async () => {
    server = await WsServer.start();
    const { rws, ws } = await open(() => `ws://127.0.0.1:${server!.port}/serial`);
    for (let i = 0; i < 6; i++) {
      const pong = once(ws, 'pong');
      vi.advanceTimersByTime(5000);
      await pong;
    }
    expect(rws.state).toBe('open');
    expect(server.sockets).toHaveLength(1);
  });
});
