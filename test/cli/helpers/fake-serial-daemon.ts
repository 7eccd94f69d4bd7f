// A stand-in daemon for the serial commands: one session, its transcript (GET …/log) and its serial WebSocket, on a
// Unix socket in a fresh FBAY_HOME; each test drives the server side of the WebSocket.
import { createServer, type ServerResponse } from 'node:http';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { VERSION } from '../../../src/shared/version.js';
import type { Session } from '../../../src/transport/protocol/api.js';
import type { ServerMessage } from '../../../src/transport/protocol/ws-messages.js';
import { aSession } from './sessions.js';

/** The server end of one serial client. */
export class ServerSide {
  readonly received: Buffer[] = [];
  readonly texts: string[] = [];
  /** Resolves with the close code the client sent (or 1006). */
  readonly closed: Promise<number>;

  constructor(
    readonly ws: WebSocket,
    readonly url: string,
  ) {
    ws.on('message', (data: Buffer, isBinary) => (isBinary ? this.received.push(data) : this.texts.push(data.toString('utf8'))));
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  get bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  data(bytes: string | Buffer): void {
    this.ws.send(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, { binary: true });
  }

  control(message: ServerMessage): void {
    this.ws.send(JSON.stringify(message), { binary: false });
  }
}

export interface FakeSerialDaemon {
  home: string;
  session: Session;
  /** What GET …/log serves; tests may replace it. */
  transcript: Buffer;
  /** "METHOD url" of every HTTP request and upgrade, in order. */
  requests: string[];
  /** Answer upgrades with this HTTP error instead of accepting them. */
  refuse: { status: number; body: unknown } | null;
  nextClient(): Promise<ServerSide>;
  close(): Promise<void>;
}

export async function startFakeSerialDaemon(overrides: Partial<Session> = {}): Promise<FakeSerialDaemon> {
  const home = mkdtempSync('/tmp/fbay-s-');
  const socket = join(home, 'fbayd.sock');
  // Server sides in connection order; nextClient() hands out the next one, whether it has connected yet or not.
  const arrived: ServerSide[] = [];
  const clients = new EventEmitter();
  let handedOut = 0;
  const wss = new WebSocketServer({ noServer: true });
  const base = aSession(overrides);
  const fake: FakeSerialDaemon = {
    home,
    session: { ...base, ws_url: base.state === 'ended' ? null : `ws+unix://${socket}:/v1/sessions/${base.id}/serial` },
    transcript: Buffer.alloc(0),
    requests: [],
    refuse: null,
    nextClient: async () => {
      const index = handedOut++;
      while (arrived.length <= index) await once(clients, 'client');
      return arrived[index]!;
    },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(home, { recursive: true, force: true });
    },
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'fbay-version': VERSION, 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    fake.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url!, 'http://fake');
    const s = fake.session;
    if (url.pathname === '/v1/sessions') return json(res, 200, { sessions: s.state === 'ended' ? [] : [s] });
    if (url.pathname === `/v1/sessions/${s.id}`) return json(res, 200, s);
    if (url.pathname === `/v1/sessions/${s.id}/log`) {
      const since = Math.min(Number(url.searchParams.get('since') ?? 0), fake.transcript.length);
      res.writeHead(200, { 'fbay-version': VERSION, 'content-type': 'application/octet-stream', 'fbay-log-end': String(fake.transcript.length) });
      return res.end(fake.transcript.subarray(since));
    }
    json(res, 404, { error: `Session ${url.pathname.split('/')[3]} does not exist.`, code: 'not_found' });
  });
  server.on('upgrade', (req, sock, head) => {
    fake.requests.push(`UPGRADE ${req.url}`);
    if (fake.refuse) {
      const body = JSON.stringify(fake.refuse.body);
      sock.end(`HTTP/1.1 ${fake.refuse.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => {
      arrived.push(new ServerSide(ws, req.url!));
      clients.emit('client');
    });
  });
  server.listen(socket);
  await once(server, 'listening');
  return fake;
}
