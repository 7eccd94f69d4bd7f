// The agent's relay for the daemon's web listener: each connection to the run dir's socket names a port on its
// first line, is answered `OK` once 127.0.0.1:PORT took it (or `ERR CODE`), then carries bytes both ways.
import type { BunApi, Socket } from './bun-api.js';

declare const Bun: BunApi;

/** The most a first line may hold ("65535\n" and then some). */
const HEAD_MAX = 16;

/**
 * What one socket could not take yet (Bun's sockets do not buffer): while any waits, the socket feeding it is
 * paused, so a slow reader on one side holds back the other instead of filling our memory.
 */
class Outbox {
  readonly #queue: Uint8Array[] = [];
  #ending = false;

  constructor(
    private readonly to: Socket<Conn>,
    private readonly source: () => Socket<Conn> | null,
  ) {}

  write(chunk: Uint8Array | string): void {
    let data = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    if (this.#queue.length === 0) {
      const n = this.to.write(data);
      if (n >= data.length) return;
      data = data.subarray(Math.max(0, n));
    }
    // A copy: the chunk a data handler was given is not ours to keep.
    this.#queue.push(data.slice());
    this.source()?.pause();
  }

  drain(): void {
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      const n = this.to.write(next);
      if (n < next.length) {
        this.#queue[0] = next.subarray(Math.max(0, n));
        return;
      }
      this.#queue.shift();
    }
    if (this.#ending) this.to.end();
    else this.source()?.resume();
  }

  /** Ends the socket once what waits for it is written. */
  end(): void {
    if (this.#queue.length > 0) this.#ending = true;
    else this.to.end();
  }
}

interface Conn {
  client: Socket<Conn>;
  head: string;
  /** Set once the port is named: bytes that came with or after the first line, until the app is reached. */
  early: Uint8Array[] | null;
  upstream: Socket<Conn> | null;
  toClient: Outbox;
  toUpstream: Outbox | null;
  closed: boolean;
}

function reach(c: Conn, port: number): void {
  void Bun.connect<Conn>({
    hostname: '127.0.0.1',
    port,
    socket: {
      open(up) {
        up.data = c;
        if (c.closed) return void up.end();
        c.upstream = up;
        c.toUpstream = new Outbox(up, () => c.client);
        c.toClient.write('OK\n');
        for (const chunk of c.early ?? []) c.toUpstream.write(chunk);
        c.early = null;
        c.client.resume();
      },
      data: (_up, chunk) => c.toClient.write(chunk),
      drain: () => c.toUpstream?.drain(),
      close: () => c.toClient.end(),
      error: () => undefined,
    },
  }).catch((err: NodeJS.ErrnoException) => {
    if (c.upstream || c.closed) return;
    c.toClient.write(`ERR ${err.code ?? 'connect'}\n`);
    c.toClient.end();
  });
}

function onData(c: Conn, chunk: Uint8Array): void {
  if (c.toUpstream) return c.toUpstream.write(chunk);
  if (c.early) return void c.early.push(chunk.slice());
  c.head += new TextDecoder('latin1').decode(chunk);
  const nl = c.head.indexOf('\n');
  if (nl < 0) {
    if (c.head.length > HEAD_MAX) c.client.terminate();
    return;
  }
  const port = Number(c.head.slice(0, nl));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    c.toClient.write('ERR bad port\n');
    return c.toClient.end();
  }
  const rest = chunk.subarray(chunk.length - (c.head.length - nl - 1));
  c.early = rest.length > 0 ? [rest.slice()] : [];
  c.client.pause();
  reach(c, port);
}

/** Listens on `path`; `ready` once it does. */
export function startRelay(path: string, ready: () => void): void {
  void Bun.file(path)
    .delete()
    .catch(() => undefined)
    .then(() => {
      Bun.listen<Conn>({
        unix: path,
        socket: {
          open(client) {
            client.data = { client, head: '', early: null, upstream: null, toClient: new Outbox(client, () => client.data.upstream), toUpstream: null, closed: false };
          },
          data: (client, chunk) => onData(client.data, chunk),
          drain: (client) => client.data.toClient.drain(),
          close(client) {
            client.data.closed = true;
            client.data.toUpstream?.end();
          },
          error: () => undefined,
        },
      });
      ready();
    });
}
