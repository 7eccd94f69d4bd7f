// The bridge's TCP listener: serves the board as an RFC 2217 port to one client at a time; a second client is told
// why in plain text and closed, so the first one's resets and flashing are never interleaved with another's.
import { createServer, type Server, type Socket } from 'node:net';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../shared/exit-codes.js';
import type { BoardLink } from './board-link.js';
import { ClientSession } from './client-session.js';
import { rfc2217Url, type ListenAddress } from './listen-address.js';

export interface Rfc2217ListenerOptions {
  address: ListenAddress;
  link: BoardLink;
  /** The answer to a client's signature request: names fbay, the session and the board. */
  signature: string;
  log: (line: string) => void;
}

/**
 * A client that reconnects at once (closed and opened again, as pyserial does between two tools) may arrive before the
 * bridge has read the old connection's close: it waits this long for the board to be free before it is refused.
 */
export const HANDOVER_MS = 250;

const peerOf = (socket: Socket) => `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;

export class Rfc2217Listener {
  #client: { socket: Socket; session: ClientSession; peer: string } | null = null;
  /** The one client waiting for the current one's close, with the timer that refuses it. */
  #waiting: { socket: Socket; timer: NodeJS.Timeout } | null = null;

  private constructor(
    private readonly server: Server,
    private readonly options: Rfc2217ListenerOptions,
    /** The pyserial URL clients use: `rfc2217://127.0.0.1:4000`. */
    readonly url: string,
  ) {
    server.on('connection', (socket) => this.#accept(socket));
  }

  /** Resolves once listening; a port in use or a host that is not this machine's is a UserError naming it. */
  static async listen(options: Rfc2217ListenerOptions): Promise<Rfc2217Listener> {
    const server = createServer({ noDelay: true });
    const { host, port } = options.address;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      throw listenFailed(host, port, err);
    });
    const bound = server.address();
    const boundPort = typeof bound === 'object' && bound ? bound.port : port;
    return new Rfc2217Listener(server, options, rfc2217Url(host, boundPort));
  }

  /** Whether a client is connected now. */
  get busy(): boolean {
    return this.#client !== null;
  }

  /** Stops listening and drops the client. */
  close(): Promise<void> {
    if (this.#waiting) {
      clearTimeout(this.#waiting.timer);
      this.#waiting.socket.destroy();
      this.#waiting = null;
    }
    const client = this.#client;
    if (client) {
      client.session.detach();
      client.socket.destroy();
      this.#client = null;
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined); // a reset by the peer is its close
    if (!this.#client) return this.#serve(socket);
    if (this.#waiting) return this.#refuse(socket);
    const timer = setTimeout(() => {
      this.#waiting = null;
      this.#refuse(socket);
    }, HANDOVER_MS);
    this.#waiting = { socket, timer };
    socket.once('close', () => {
      if (this.#waiting?.socket !== socket) return;
      clearTimeout(timer);
      this.#waiting = null;
    });
  }

  #refuse(socket: Socket): void {
    const peer = peerOf(socket);
    const current = this.#client?.peer ?? 'another client';
    this.options.log(`refused ${peer}: ${current} is using the board (one client at a time).`);
    // Plain text, no Telnet: a person with telnet or nc reads it; pyserial gives up on the negotiation it never gets.
    socket.end(`fbay: this board is in use by another client (${current}); the bridge serves one client at a time.\r\n`);
  }

  #serve(socket: Socket): void {
    const peer = peerOf(socket);
    const session = new ClientSession(socket, this.options.link, { signature: this.options.signature, log: this.options.log });
    this.#client = { socket, session, peer };
    this.options.log(`client ${peer} connected.`);
    socket.once('close', () => {
      session.detach();
      if (this.#client?.socket === socket) this.#client = null;
      this.options.log(`client ${peer} disconnected.`);
      const next = this.#waiting;
      if (next && !this.#client) {
        clearTimeout(next.timer);
        this.#waiting = null;
        this.#serve(next.socket);
      }
    });
  }
}

function listenFailed(host: string, port: number, err: NodeJS.ErrnoException): UserError {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE') {
    return new UserError(`Cannot listen on ${where}: the port is in use.`, {
      exit: EXIT.conflict,
      code: 'address_in_use',
      next: 'Pick another port, or 0 for any free one (the URL is printed).',
    });
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    return new UserError(`Cannot listen on ${where}: ${host} is not an address of this machine.`, {
      exit: EXIT.usage,
      code: 'usage',
      next: 'Leave the host out for loopback, or give one of this machine’s addresses (0.0.0.0 for all).',
    });
  }
  if (err.code === 'EACCES') {
    return new UserError(`Cannot listen on ${where}: ports below 1024 need privileges.`, { exit: EXIT.usage, code: 'usage', next: 'Use a port from 1024 up.' });
  }
  return new UserError(`Cannot listen on ${where}: ${err.message}.`, { code: 'listen_failed', cause: err });
}
