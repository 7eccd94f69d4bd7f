// WS /v1/sessions/{id}/serial: checks the session before upgrading, then hands the socket to its relay.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../transport/protocol/errors.js';
import type { SessionCore } from '../sessions/session-core.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import { sessionId } from '../../transport/protocol/schemas/sessions.js';
import type { SessionPorts } from './session-ports.js';
import { refuseUpgrade } from '../http/server.js';
import { WsHeartbeat } from '../http/ws-heartbeat.js';

const SERIAL_PATH = /^\/v1\/sessions\/([^/]+)\/serial\/?$/;
export const MAX_FRAME_BYTES = 1024 * 1024;

export class SerialUpgrade {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly heartbeat: WsHeartbeat;

  constructor(
    private readonly engine: SessionCore,
    private readonly ports: SessionPorts,
  ) {
    this.heartbeat = new WsHeartbeat(this.wss);
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void {
    const url = new URL(req.url ?? '/', 'http://fbay');
    const m = SERIAL_PATH.exec(url.pathname);
    try {
      if (!m) throw new ApiError('not_found', `No WebSocket endpoint at ${url.pathname}; the serial console is /v1/sessions/{id}/serial.`);
      const id = parseWith(sessionId, safeDecode(m[1]!), 'The session id');
      const s = this.engine.find(account, id, 'board');
      if (s.state === 'ended') {
        throw new ApiError('not_found', `Session ${id} has ended (${s.end_reason}). Create a new one with \`fbay session create\`.`, {
          end_reason: s.end_reason,
        });
      }
      if (s.state !== 'idle' && s.state !== 'active' && s.state !== 'flashing') {
        throw new ApiError('session_conflict', `Session ${id} is ${s.state}: it has no board yet. Wait with \`fbay session wait ${id} --state idle\`.`);
      }
      const since = parseSince(url.searchParams.get('since'));
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.heartbeat.watch(ws);
        if (!this.ports.attach(id, ws, since)) ws.close(1011, 'session has no open port');
      });
    } catch (err) {
      if (err instanceof ApiError) refuseUpgrade(socket, err);
      else throw err;
    }
  }

  close(): void {
    this.heartbeat.stop();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('invalid_request', `The path segment '${segment.slice(0, 64)}' is not valid percent-encoding (UTF-8); check the URL.`);
  }
}

function parseSince(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new ApiError('invalid_request', `since must be a byte offset (a whole number ≥ 0); got '${raw.slice(0, 32)}'.`);
  }
  return n;
}
