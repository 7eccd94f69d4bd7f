// WS /v1/browsers/{id}/cdp: checks the session before upgrading, then bridges the client's frames to the browser's pipe
// (or, for a session mirrored from a remote host, to the link to that host).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CDP_CLOSE } from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { refuseUpgrade } from '../http/server.js';
import type { ClientCloser } from './browser-host.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import { sessionId } from '../../transport/protocol/schemas/sessions.js';
import type { CdpConnection, ClientSink } from './cdp-connection.js';
import { WsHeartbeat } from '../http/ws-heartbeat.js';

const CDP_PATH = /^\/v1\/browsers\/([^/]+)\/cdp\/?$/;
/** Clients send big frames too (setContent with a large page); Chromium's own limit is about this. */
export const MAX_CLIENT_FRAME_BYTES = 256 * 1024 * 1024;
/** A client slower than the browser: stop reading the pipe past HIGH buffered bytes, go on below LOW. */
const HIGH_WATER = 16 * 1024 * 1024;
const LOW_WATER = 4 * 1024 * 1024;

/** The sessions a CDP client may reach: the browser engine's, and mirrors of remote ones. */
export interface CdpSessions {
  /**
   * Checks the session for this client (an ApiError refuses it): `account` is the Unix socket's, or null on TCP where
   * the token decides. The connection may come later (a remote link reconnecting); a rejection refuses the upgrade.
   */
  resolve(id: string, account: string | null, token: string | null): { account: string; connection: CdpConnection | Promise<CdpConnection> };
  clientConnected(id: string, close: ClientCloser): () => void;
  /** The client sent Browser.close: the session ends instead. */
  end(account: string, id: string): Promise<unknown>;
}

export function isCdpPath(url: string | undefined): boolean {
  return CDP_PATH.test(new URL(url ?? '/', 'http://fbay').pathname);
}

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -2);
  return out;
}

export class CdpProxy {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  /** The client of each session: a newer one takes over. */
  private readonly current = new Map<string, WebSocket>();
  private readonly heartbeat: WsHeartbeat;

  constructor(
    private readonly sessions: CdpSessions,
    private readonly log: (message: string) => void,
  ) {
    this.heartbeat = new WsHeartbeat(this.wss);
  }

  /** `account` is the Unix socket's account; null on the loopback TCP listener, where the URL's token decides. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, account: string | null): void {
    const url = new URL(req.url ?? '/', 'http://fbay');
    try {
      const m = CDP_PATH.exec(url.pathname);
      if (!m) throw new ApiError('not_found', `No WebSocket endpoint at ${url.pathname}; the CDP proxy is /v1/browsers/{id}/cdp.`);
      const id = parseWith(sessionId, m[1]!, 'The session id');
      const { account: owner, connection } = this.sessions.resolve(id, account, url.searchParams.get('token'));
      const upgrade = (conn: CdpConnection) => this.wss.handleUpgrade(req, socket, head, (ws) => void this.bridge(ws, id, owner, conn));
      if (!(connection instanceof Promise)) return upgrade(connection);
      connection.then(upgrade, (err: unknown) => this.refuse(socket, err));
    } catch (err) {
      this.refuse(socket, err);
    }
  }

  private refuse(socket: Duplex, err: unknown): void {
    if (err instanceof ApiError) return refuseUpgrade(socket, err);
    this.log(`cdp upgrade failed: ${(err as Error).stack ?? String(err)}`);
    socket.destroy();
  }

  private async bridge(ws: WebSocket, id: string, account: string, conn: CdpConnection): Promise<void> {
    this.heartbeat.watch(ws);
    let paused = false;
    const sink: ClientSink = {
      send: (message) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(message, { binary: false }, () => {
          if (paused && ws.bufferedAmount < LOW_WATER) {
            paused = false;
            conn.pipe.resume();
          }
        });
        if (!paused && ws.bufferedAmount > HIGH_WATER) {
          paused = true;
          conn.pipe.pause();
        }
      },
    };
    // Frames sent before the client's browser session exists wait for it, in order.
    let early: Buffer[] | null = [];
    const forward = (data: Buffer) => {
      if (!conn.fromClient(sink, data)) {
        ws.pause();
        conn.pipe.onDrain(() => ws.resume());
      }
    };
    ws.on('message', (data: Buffer) => {
      if (early) early.push(data);
      else forward(data);
    });
    const leave = this.sessions.clientConnected(id, (code, reason) => ws.close(code, closeReason(reason)));
    const previous = this.current.get(id);
    this.current.set(id, ws);
    previous?.close(CDP_CLOSE.replaced, 'another CDP client connected to this session');
    ws.once('close', () => {
      if (this.current.get(id) === ws) this.current.delete(id);
      if (paused) conn.pipe.resume();
      leave();
      void conn.detachClient(sink);
    });
    try {
      await conn.attachClient(sink, { browserClose: () => void this.sessions.end(account, id).catch(() => undefined) });
    } catch (err) {
      this.log(`browser ${id}: a CDP client could not attach: ${(err as Error).message}`);
      ws.close(1011, 'the browser did not accept the connection');
      return;
    }
    const queued = early;
    early = null;
    for (const data of queued) forward(data);
  }

  close(): void {
    this.heartbeat.stop();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
