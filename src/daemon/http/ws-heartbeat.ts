// One timer for every client of a WebSocketServer: ping each every 10 s, drop a peer silent for 30 s (DESIGN §4).
import type { WebSocket, WebSocketServer } from 'ws';

export const PING_INTERVAL_MS = 10_000;
export const SILENT_PEER_MS = 30_000;

export class WsHeartbeat {
  private readonly lastHeard = new WeakMap<WebSocket, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly wss: WebSocketServer) {
    this.timer = setInterval(() => this.beat(), PING_INTERVAL_MS);
    this.timer.unref();
  }

  /** Starts watching a newly accepted client: any pong or message counts as a sign of life. */
  watch(ws: WebSocket): void {
    this.heard(ws);
    ws.on('pong', () => this.heard(ws));
    ws.on('message', () => this.heard(ws));
  }

  heard(ws: WebSocket): void {
    this.lastHeard.set(ws, Date.now());
  }

  private beat(): void {
    const now = Date.now();
    for (const ws of this.wss.clients) {
      // A socket paused for backpressure (the board or browser slower than the client) cannot read pongs: not silent.
      if (ws.isPaused) this.lastHeard.set(ws, now);
      if (now - (this.lastHeard.get(ws) ?? now) >= SILENT_PEER_MS) ws.terminate();
      else ws.ping();
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
