// WS /v1/browsers/{id}/screencast: a browser session's live view for the dashboard. Binary messages are JPEG frames
// of the page the session opened last; text messages are JSON: {"type":"page","url","title"} when the page shown
// changes or navigates. Watching is not using: it does not take the session's CDP client's place nor count as one.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../../shared/clock.js';
import { CDP_CLOSE } from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import { sessionId } from '../../transport/protocol/schemas/sessions.js';
import { refuseUpgrade } from '../http/server.js';
import { WsHeartbeat } from '../http/ws-heartbeat.js';
import type { CdpConnection } from './cdp-connection.js';
import { LiveView } from './live-view.js';

const SCREENCAST_PATH = /^\/v1\/browsers\/([^/]+)\/screencast\/?$/;

export function isScreencastPath(url: string | undefined): boolean {
  return SCREENCAST_PATH.test(new URL(url ?? '/', 'http://fbay').pathname);
}

/** The browser of a session this account may watch; throws an ApiError (404, 409) to refuse. */
export type LiveViewResolve = (id: string, account: string) => CdpConnection;

export class LiveViewServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  private readonly heartbeat = new WsHeartbeat(this.wss);

  constructor(
    private readonly resolve: LiveViewResolve,
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
  ) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void {
    let conn: CdpConnection;
    let id: string;
    try {
      id = parseWith(sessionId, SCREENCAST_PATH.exec(new URL(req.url ?? '/', 'http://fbay').pathname)?.[1] ?? '', 'The session id');
      conn = this.resolve(id, account);
    } catch (err) {
      if (err instanceof ApiError) return refuseUpgrade(socket, err);
      this.log(`live view upgrade failed: ${(err as Error).stack ?? String(err)}`);
      return void socket.destroy();
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.watch(ws, id, conn));
  }

  private watch(ws: WebSocket, id: string, conn: CdpConnection): void {
    this.heartbeat.watch(ws);
    const view = new LiveView(
      conn,
      {
        // One frame in flight: the next comes once this one is written, so a slow viewer gets fewer, never a queue.
        frame: (jpeg, sent) => ws.readyState === ws.OPEN && ws.send(jpeg, { binary: true }, () => sent()),
        page: (info) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ type: 'page', ...info })),
        closed: () => ws.close(CDP_CLOSE.ended, 'the browser of this session is gone'),
      },
      this.clock,
    );
    ws.once('close', () => view.stop());
    view.start().catch((err: Error) => {
      this.log(`browser ${id}: live view could not start: ${err.message}`);
      ws.close(1011, 'the browser did not start the live view');
    });
  }

  close(): void {
    this.heartbeat.stop();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
