// Test helper: a loopback TCP proxy that cuts, stalls or delays the connections it forwards, on command.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

// Captured at import, before any test fakes timers: the proxy's latency runs on real time and is no test's timer.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export interface FaultProxy {
  /** The proxy listens on 127.0.0.1:port. */
  readonly port: number;
  /** Destroys every proxied connection now; new ones are accepted and destroyed at once until restore(). */
  cut(): void;
  restore(): void;
  /** Connections (present and new) stay open but nothing is forwarded either way, like a dead NAT, until unstall(). */
  stall(): void;
  unstall(): void;
  /** Adds `ms` of latency to every chunk forwarded from now on, both ways, order kept (0 removes it). */
  delay(ms: number): void;
  /** Proxied connections open now. */
  readonly connections: number;
  /** Connections accepted since start, cut ones included. */
  readonly accepted: number;
  close(): Promise<void>;
}

interface Proxy {
  stalled: boolean;
  delayMs: number;
}

/** One direction of one connection: chunks wait here while stalled or delayed, and leave in arrival order. */
class Lane {
  readonly #queue: Array<{ chunk: Buffer; at: number }> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(
    readonly from: net.Socket,
    readonly to: net.Socket,
    readonly proxy: Proxy,
  ) {
    from.on('data', (chunk: Buffer) => this.#push(chunk));
    from.on('end', () => {
      this.#ended = true;
      this.pump();
    });
  }

  #push(chunk: Buffer): void {
    if (!this.proxy.stalled && this.proxy.delayMs === 0 && this.#queue.length === 0) {
      this.#write(chunk);
      return;
    }
    // One FIFO per direction: a chunk never leaves before the one ahead of it, even when the delay shrinks.
    this.#queue.push({ chunk, at: performance.now() + this.proxy.delayMs });
    this.pump();
  }

  pump(): void {
    if (this.proxy.stalled || this.#timer !== undefined || this.to.destroyed) return;
    const now = performance.now();
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now) this.#write(this.#queue.shift()!.chunk);
    if (this.#queue.length > 0) {
      this.#timer = realSetTimeout(() => {
        this.#timer = undefined;
        this.pump();
      }, Math.ceil(this.#queue[0]!.at - now));
    } else if (this.#ended && !this.to.writableEnded) {
      this.to.end();
    }
  }

  #write(chunk: Buffer): void {
    if (this.to.write(chunk) || this.proxy.stalled) return;
    // Backpressure: stop reading until the other side drains (stall() pauses on its own).
    this.from.pause();
    this.to.once('drain', () => this.proxy.stalled || this.from.resume());
  }

  stop(): void {
    if (this.#timer !== undefined) realClearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

class Link {
  readonly lanes: [Lane, Lane];

  constructor(
    readonly client: net.Socket,
    readonly upstream: net.Socket,
    proxy: Proxy,
    onClose: () => void,
  ) {
    this.lanes = [new Lane(client, upstream, proxy), new Lane(upstream, client, proxy)];
    let open = 2;
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.destroy());
      socket.on('close', () => {
        this.destroy();
        if (--open === 0) onClose();
      });
      if (proxy.stalled) socket.pause();
    }
  }

  pause(): void {
    this.client.pause();
    this.upstream.pause();
  }

  resume(): void {
    this.client.resume();
    this.upstream.resume();
    for (const lane of this.lanes) lane.pump();
  }

  destroy(): void {
    for (const lane of this.lanes) lane.stop();
    this.client.destroy();
    this.upstream.destroy();
  }
}

export async function startFaultProxy(options: { target: { host: string; port: number } }): Promise<FaultProxy> {
  const state: Proxy = { stalled: false, delayMs: 0 };
  const links = new Set<Link>();
  let refusing = false;
  let accepted = 0;

  // allowHalfOpen: each side's end is forwarded only after its delayed bytes, never cutting them short.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true });
    const link = new Link(client, upstream, state, () => links.delete(link));
    links.add(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    cut() {
      refusing = true;
      for (const link of links) link.destroy();
      links.clear();
    },
    restore() {
      refusing = false;
    },
    stall() {
      state.stalled = true;
      for (const link of links) link.pause();
    },
    unstall() {
      state.stalled = false;
      for (const link of links) link.resume();
    },
    delay(ms) {
      if (!(ms >= 0)) throw new RangeError(`delay(ms) needs ms >= 0, got ${ms}`);
      state.delayMs = ms;
    },
    get connections() {
      return links.size;
    },
    get accepted() {
      return accepted;
    },
    close() {
      refusing = true;
      for (const link of links) link.destroy();
      links.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
