// WS /v1/sessions/{id}/ports/{port}: one TCP connection to 127.0.0.1:PORT inside a sandbox, its bytes as binary
// messages both ways — what another machine's daemon opens a remote sandbox's URL through, as `kubectl port-forward`
// does. The account's own sandboxes only; a sleeping one wakes, and the bytes count as its activity.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../../transport/protocol/errors.js';
import { parseWith } from '../../../transport/protocol/schema-kit.js';
import { sessionId } from '../../../transport/protocol/schemas/sessions.js';
import { refuseUpgrade } from '../../http/server.js';
import { WsHeartbeat } from '../../http/ws-heartbeat.js';
import type { SandboxRecord } from './sandbox-record.js';

const PORT_PATH = /^\/v1\/sessions\/([^/]+)\/ports\/([^/]+)\/?$/;

export function isSandboxPortPath(url: string | undefined): boolean {
  return PORT_PATH.test(new URL(url ?? '/', 'http://fbay').pathname);
}

/** What it needs of the sandboxes: the account's one (throws the API's 404 or 410), and a connection into it. */
export interface SandboxPorts {
  live(account: string, id: string): SandboxRecord;
  connect(s: SandboxRecord, port: number): Promise<Duplex>;
  traffic(s: SandboxRecord): void;
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (port >= 1 && port <= 65535) return port;
  throw new ApiError('invalid_request', `Port '${text}' is not a TCP port: give 1-65535.`);
}

export class SandboxPortSockets {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly heartbeat = new WsHeartbeat(this.wss);

  constructor(
    private readonly sandboxes: SandboxPorts,
    private readonly log: (message: string) => void,
  ) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void {
    let s: SandboxRecord;
    let port: number;
    try {
      const m = PORT_PATH.exec(new URL(req.url ?? '/', 'http://fbay').pathname)!;
      s = this.sandboxes.live(account, parseWith(sessionId, decodeURIComponent(m[1]!), 'The session id'));
      port = parsePort(m[2]!);
    } catch (err) {
      if (err instanceof ApiError) return refuseUpgrade(socket, err);
      this.log(`sandbox port upgrade failed: ${(err as Error).stack ?? String(err)}`);
      return void socket.destroy();
    }
    socket.on('error', () => undefined);
    this.sandboxes.connect(s, port).then(
      (stream) => this.wss.handleUpgrade(req, socket, head, (ws) => this.bridge(ws, stream, s)),
      (err: Error) => refuseUpgrade(socket, new ApiError('upstream_unavailable', `Could not connect to port ${port} in sandbox ${s.id}: ${err.message}.`, { next: 'Start the app in it first (`fbay sandbox exec --background`), listening on that port.' })),
    );
  }

  private bridge(ws: WebSocket, stream: Duplex, s: SandboxRecord): void {
    this.heartbeat.watch(ws);
    const socket = createWebSocketStream(ws);
    socket.on('error', () => stream.destroy());
    stream.on('error', () => ws.terminate());
    socket.on('close', () => stream.destroy());
    stream.on('close', () => ws.readyState === ws.OPEN && ws.close(1000, 'the connection in the sandbox closed'));
    stream.pipe(socket);
    socket.pipe(stream);
    // Listeners after the pipes: they see the bytes the pipes already move.
    const traffic = () => this.sandboxes.traffic(s);
    stream.on('data', traffic);
    socket.on('data', traffic);
    stream.resume();
  }

  close(): void {
    this.heartbeat.stop();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
