// A load generator's HTTP/1.1 client, as wrk's: kept-alive TCP connections, each request written in one piece, the
// answer read by its Content-Length. node:http's own client costs about as much per request as the daemon does, and
// it shares the machine, so a figure of "N requests at once" measured through it is mostly the client's.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export class Connection {
  constructor(socket) {
    this.socket = socket;
    this.buffer = '';
    this.waiting = null;
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      this.buffer += chunk;
      this.#drain();
    });
  }

  static async open(port) {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new Connection(socket);
  }

  /** One request; resolves with its status and parsed JSON body. */
  request(method, path, { body, headers = {} } = {}) {
    if (this.waiting) throw new Error('one request at a time on a connection');
    const payload = body === undefined ? '' : JSON.stringify(body);
    const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (payload) lines.push('content-type: application/json', `content-length: ${Buffer.byteLength(payload)}`);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n${payload}`);
    });
  }

  #drain() {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.slice(0, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const text = this.buffer.slice(end + 4, end + 4 + length);
    this.buffer = this.buffer.slice(end + 4 + length);
    const { resolve } = this.waiting;
    this.waiting = null;
    resolve({ status: Number(head.slice(9, 12)), body: text ? JSON.parse(text) : undefined });
  }

  close() {
    this.socket.destroy();
  }
}

/** Kept-alive connections to one port, as a client library's pool: a request takes a free one, or waits for one. */
export class Pool {
  constructor(connections) {
    this.free = connections;
    this.queue = [];
  }

  static async open(port, size) {
    return new Pool(await Promise.all(Array.from({ length: size }, () => Connection.open(port))));
  }

  async request(method, path, options) {
    const c = this.free.pop() ?? (await new Promise((resolve) => this.queue.push(resolve)));
    try {
      return await c.request(method, path, options);
    } finally {
      const next = this.queue.shift();
      if (next) next(c);
      else this.free.push(c);
    }
  }

  close() {
    for (const c of this.free) c.close();
  }
}

/**
 * The floor under any daemon figure of requests at once: a node:http server in its own process that answers every
 * request with a fixed 201 body, doing no work. Returns its port and a stop().
 */
export async function startFixedServer() {
  const child = fork(fileURLToPath(import.meta.url), ['fixed-server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = await once(child, 'message');
  return {
    port,
    async stop() {
      child.kill();
      await once(child, 'exit');
    },
  };
}

if (process.argv[2] === 'fixed-server') {
  const { createServer } = await import('node:http');
  const body = JSON.stringify({ id: 'ses_000000000000000000000000', state: 'idle', board_id: 'virtual-1' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
}
