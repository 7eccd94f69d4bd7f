// Test helper: a WebSocket server on loopback (TCP, TLS or a Unix socket) whose handshake answer tests switch at will.
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** 'accept' upgrades; a number answers with that HTTP status; 'hang' accepts TCP and never answers. */
export type HandshakeMode = 'accept' | number | 'hang';

export interface WsServerOptions {
  /** false: the server never answers pings (a peer whose WebSocket layer froze). */
  autoPong?: boolean;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Listen on this Unix socket instead of 127.0.0.1:0. */
  socketPath?: string;
}

export class WsServer extends EventEmitter<{ request: [http.IncomingMessage, Duplex]; connection: [WebSocket] }> {
  mode: HandshakeMode = 'accept';
  readonly requests: http.IncomingMessage[] = [];
  readonly sockets: WebSocket[] = [];
  readonly raw: Duplex[] = [];
  readonly #http: http.Server;
  readonly #wss: WebSocketServer;

  private constructor(options: WsServerOptions) {
    super();
    this.#wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
    this.#http = options.tls ? https.createServer(options.tls) : http.createServer();
    this.#http.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {}); // clients abort on purpose here
      this.requests.push(req);
      this.raw.push(socket);
      this.emit('request', req, socket);
      if (this.mode === 'hang') {
        // Read to EOF and end too (HTTP sockets allow half-open), so the server sees the client give up.
        socket.on('end', () => socket.end()).resume();
        return;
      }
      if (typeof this.mode === 'number') {
        socket.end(`HTTP/1.1 ${this.mode} ${http.STATUS_CODES[this.mode] ?? 'Status'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.push(ws);
        ws.on('error', () => {});
        this.emit('connection', ws);
      });
    });
  }

  static async start(options: WsServerOptions = {}): Promise<WsServer> {
    const server = new WsServer(options);
    if (options.socketPath) server.#http.listen(options.socketPath);
    else server.#http.listen(0, '127.0.0.1');
    await once(server.#http, 'listening');
    return server;
  }

  get port(): number {
    return (this.#http.address() as import('node:net').AddressInfo).port;
  }

  /** The last connection the server upgraded. */
  get last(): WebSocket {
    const ws = this.sockets.at(-1);
    if (!ws) throw new Error('no WebSocket connection yet');
    return ws;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    for (const socket of this.raw) socket.destroy();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
