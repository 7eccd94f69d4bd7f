// The HTTP server: routes requests, turns errors into the API's error bodies, stamps the version header.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { VERSION } from '../../shared/version.js';
import type { Router } from './router.js';

import { HEADERS } from '../../transport/protocol/headers.js';

export const VERSION_HEADER = HEADERS.version;

export interface ServerOptions {
  router: Router;
  /** Which account a request speaks for (the Unix socket is always the owner, `local`); throws 401/429 on TCP. */
  accountFor(req: IncomingMessage): string;
  /** For public routes: the account if a key was given, else an anonymous caller (rate-limited on TCP). */
  publicAccount?(req: IncomingMessage): string;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void;
  log(message: string): void;
  /** PEM cert and key: serve HTTPS/WSS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Called as each request is read, before it is routed (the session store's `poll`). */
  beforeRequest?(): void;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
  });
  res.end(payload);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, err.toBody(), err.headers);
}

export function createApiServer(options: ServerOptions): Server {
  const listener: RequestListener = (req, res) => {
    options.beforeRequest?.();
    res.setHeader(VERSION_HEADER, VERSION);
    void handle(options, req, res);
  };
  const server: Server = options.tls
    ? createTlsServer({ keepAliveTimeout: 5000, cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer({ keepAliveTimeout: 5000 }, listener);
  // `Expect: 100-continue` (fbay flash's uploads, curl's large bodies): the route decides when to ask for the body.
  server.on('checkContinue', listener);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      options.upgrade(req, socket, head, options.accountFor(req));
    } catch (err) {
      if (err instanceof ApiError) return refuseUpgrade(socket, err);
      options.log(`upgrade failed: ${(err as Error).stack ?? String(err)}`);
      socket.destroy();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    // Node refuses a request before any handler sees it (headers over its limit, a malformed line): still say why.
    const tooLong = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: tooLong
        ? 'The request line and headers are over the 16 KiB the daemon accepts; send long data in the body instead.'
        : `The request is not valid HTTP (${err.code ?? 'parse error'}).`,
      code: 'invalid_request',
    });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return server;
}

async function handle(options: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://fbay');
    const match = options.router.match(req.method ?? 'GET', url.pathname);
    if (!match) throw new ApiError('not_found', `No such endpoint: ${req.method} ${url.pathname.slice(0, 200)}. The API lives under /v1/ (see /v1/openapi.json).`);
    const account = match.public && options.publicAccount ? options.publicAccount(req) : options.accountFor(req);
    if (!match.asksForBody && expectsContinue(req)) res.writeContinue();
    const reply = await match.handler({ method: req.method ?? 'GET', url, params: match.params, account, req, res });
    if (reply !== 'streaming') sendJson(res, reply.status, reply.body, reply.headers);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof ApiError) sendError(res, err);
    else {
      options.log(`bug: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      sendError(res, new ApiError('internal_error', 'The daemon hit a bug handling this request; see `fbay daemon logs`.'));
    }
  }
}

/** The client waits for `100 Continue` before it sends the body. */
export function expectsContinue(req: IncomingMessage): boolean {
  return /^100-continue$/i.test(String(req.headers.expect ?? '').trim());
}

/** Answers a WebSocket handshake that will not be accepted with a plain HTTP error and the API's error body. */
export function refuseUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toBody());
  const extra = Object.entries(err.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${err.status} ${err.code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${VERSION_HEADER}: ${VERSION}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}
