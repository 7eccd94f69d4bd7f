// The fault proxy itself: it forwards, cuts, stalls and delays real loopback TCP connections as told.
import { once } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

/** The far end: echoes every byte and lets a test push bytes of its own (the server → client direction). */
class EchoTarget {
  readonly server = net.createServer((socket) => {
    this.sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      this.received += chunk.length;
      if (this.echo) socket.write(chunk);
    });
  });
  readonly sockets: net.Socket[] = [];
  received = 0;
  echo = true;

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }
}

/** A client socket that keeps everything it receives and can wait for it. */
class Peer {
  text = '';
  readonly closed: Promise<void>;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly socket: net.Socket) {
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      this.text += chunk.toString();
      this.#waiters.splice(0).forEach((w) => w());
    });
    this.closed = once(socket, 'close').then(() => undefined);
  }

  static async connect(port: number): Promise<Peer> {
    const peer = new Peer(net.connect(port, '127.0.0.1'));
    await once(peer.socket, 'connect');
    return peer;
  }

  until(text: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.text.includes(text) ? resolve() : this.#waiters.push(check));
      check();
    });
  }
}

let target: EchoTarget;
/** A second echo server, off the proxy: its round trips measure out time without a timer. */
let bystander: EchoTarget;
let proxy: FaultProxy;
const peers: Peer[] = [];

const connect = async (port = proxy.port) => {
  const peer = await Peer.connect(port);
  peers.push(peer);
  return peer;
};

/** Two real round trips off the proxy: whatever a working path would have carried by now, it has. */
async function settle(): Promise<void> {
  const direct = await connect(bystander.port);
  for (const word of ['one', 'two']) {
    direct.socket.write(word);
    await direct.until(word);
  }
  direct.socket.destroy();
}

beforeEach(async () => {
  [target, bystander] = [new EchoTarget(), new EchoTarget()];
  for (const t of [target, bystander]) {
    t.server.listen(0, '127.0.0.1');
    await once(t.server, 'listening');
  }
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  await proxy.close();
  for (const t of [target, bystander]) {
    t.server.close();
    for (const socket of t.sockets) socket.destroy();
  }
});

describe('fault proxy', () => {
  it('forwards bytes both ways and counts connections', async () => {
    const peer = await connect();
    peer.socket.write('hello');
    await peer.until('hello');
    expect(proxy.connections).toBe(1);
    expect(proxy.accepted).toBe(1);
  });

  it('cut() drops every connection and refuses new ones until restore()', async () => {
    const before = await connect();
    before.socket.write('a');
    await before.until('a');

    proxy.cut();
    expect(proxy.connections).toBe(0);
    await before.closed;
    const during = await connect(); // the kernel accepts; the proxy destroys it at once
    during.socket.write('b');
    await during.closed;
    expect(during.text).toBe('');
    expect(proxy.accepted).toBe(2);

    proxy.restore();
    const after = await connect();
    after.socket.write('c');
    await after.until('c');
    expect(proxy.connections).toBe(1);
  });

  it('stall() forwards nothing either way, on old and new connections, until unstall()', async () => {
    const old = await connect();
    old.socket.write('warm');
    await old.until('warm');
    const receivedBefore = target.received;

    proxy.stall();
    old.socket.write('to-server');
    target.sockets[0]!.write('to-client');
    const reached = once(target.server, 'connection');
    const fresh = await connect();
    fresh.socket.write('fresh');
    await reached; // the fresh one reached the target: a dead NAT, not a refusal
    await settle();
    await settle();
    expect(target.received).toBe(receivedBefore);
    expect(old.text).toBe('warm');
    expect(proxy.connections).toBe(2);

    proxy.unstall();
    await old.until('to-client');
    await old.until('to-server');
    await fresh.until('fresh');
    expect(old.text).toBe('warmto-clientto-server');
  });

  it('delay(ms) adds latency each way and keeps the order when the delay changes', async () => {
    const peer = await connect();
    proxy.delay(100);
    const t0 = performance.now();
    peer.socket.write('slow');
    await peer.until('slow');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195); // 100 ms there, 100 ms back

    proxy.delay(60);
    peer.socket.write('1');
    await settle(); // '1' is held in the proxy now
    proxy.delay(0);
    peer.socket.write('2');
    await settle();
    peer.socket.write('3');
    await peer.until('3');
    expect(peer.text).toBe('slow123');

    const t1 = performance.now();
    peer.socket.write('fast');
    await peer.until('fast');
    expect(performance.now() - t1).toBeLessThan(100);
  });
});
