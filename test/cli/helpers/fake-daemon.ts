// A stand-in for the fbay daemon in tests: node:http on a Unix socket in a fresh FBAY_HOME, routes filled in per test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter, once } from 'node:events';
import { VERSION } from '../../../src/shared/version.js';
import type { EngineEvent } from '../../../src/transport/protocol/events.js';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The request body as it came (a file's bytes are not JSON). */
  bytes: Buffer;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as it is instead of `body` as JSON (an SSE stream, a file's bytes), with `headers` saying what it is. */
  raw?: string | Buffer;
}

type Handler = (req: Recorded) => Reply | Promise<Reply>;

export interface FakeDaemon {
  /** Use as FBAY_HOME: the socket is `${home}/fbayd.sock`. */
  home: string;
  socket: string;
  requests: Recorded[];
  route(method: string, path: string, handler: Handler | Reply): void;
  /** Resolves when the next SSE subscriber has been answered (so events sent now reach it). */
  nextSubscriber(): Promise<string>;
  /** Sends an engine event to every SSE subscriber. */
  emit(event: EngineEvent): void;
  /** Ends every SSE stream, as a daemon that goes away would. */
  dropStreams(): void;
  close(): Promise<void>;
}

/** `version: null` sends no fbay-version header; `home` reuses a directory (removed on close all the same). */
export async function startFakeDaemon(options: { version?: string | null; home?: string } = {}): Promise<FakeDaemon> {
  const version = options.version === undefined ? VERSION : options.version;
  const home = options.home ?? mkdtempSync('/tmp/fbay-t-');
  const socket = join(home, 'fbayd.sock');
  const routes = new Map<string, Handler>();
  const requests: Recorded[] = [];
  const streams = new Set<ServerResponse>();
  const subscribers = new EventEmitter();
  const baseHeaders = (): Record<string, string> => (version === null ? {} : { 'fbay-version': version });

  routes.set('GET /v1/health', () => ({
    body: { version: version ?? 'none', pid: process.pid, uptime_s: 12.5, socket, listeners: [`unix:${socket}`] },
  }));

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString('utf8');
    const json = String(req.headers['content-type'] ?? 'application/json').startsWith('application/json');
    const recorded: Recorded = { method: req.method!, url: req.url!, headers: req.headers, body: text && json ? JSON.parse(text) : undefined, bytes };
    requests.push(recorded);
    const path = req.url!.split('?')[0];
    if (req.method === 'GET' && path === '/v1/events') {
      res.writeHead(200, { ...baseHeaders(), 'content-type': 'text/event-stream' });
      res.write(': fake events\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      subscribers.emit('subscribed', req.url);
      return;
    }
    const handler = routes.get(`${req.method} ${path}`);
    const reply = handler
      ? await handler(recorded)
      : { status: 404, body: { error: `No route ${req.method} ${path}.`, code: 'not_found' } };
    // A Buffer is a file (a browser artifact), sent as it is; `raw` is a reply's bytes exactly as given.
    const raw = Buffer.isBuffer(reply.body);
    const body = reply.raw ?? (raw ? (reply.body as Buffer) : reply.body === undefined ? '' : JSON.stringify(reply.body));
    res.writeHead(reply.status ?? 200, { ...baseHeaders(), 'content-type': raw ? 'application/octet-stream' : 'application/json', ...reply.headers });
    res.end(body);
  });
  server.listen(socket);
  await once(server, 'listening');

  return {
    home,
    socket,
    requests,
    route(method, path, handler) {
      routes.set(`${method} ${path}`, typeof handler === 'function' ? handler : () => handler);
    },
    nextSubscriber: () => once(subscribers, 'subscribed').then(([url]) => url as string),
    emit(event) {
      for (const res of streams) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    },
    dropStreams() {
      for (const res of streams) res.end();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(home, { recursive: true, force: true });
    },
  };
}
