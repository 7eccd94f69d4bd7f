// The HTTP server: routes requests, turns errors into the API's error bodies, stamps the version header.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { VERSION } from '../../shared/version.js';
import type { Router } from './router.js';

export const VERSION_HEADER = 'fbay-version';

export interface ServerOptions {
  router: Router;
  /** Which account a connection speaks for (the Unix socket is always the owner, `local`). */
  accountFor(req: IncomingMessage): string;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void;
  log(message: string): void;
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
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    res.setHeader(VERSION_HEADER, VERSION);
    void handle(options, req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      options.upgrade(req, socket, head, options.accountFor(req));
    } catch (err) {
      options.log(`upgrade failed: ${(err as Error).stack ?? String(err)}`);
      socket.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function handle(options: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://fbay');
    const match = options.router.match(req.method ?? 'GET', url.pathname);
    if (!match) throw new ApiError('not_found', `No such endpoint: ${req.method} ${url.pathname}. The API lives under /v1/.`);
    if ('allowed' in match) {
      throw new ApiError('invalid_request', `${req.method} is not supported on ${url.pathname}; use ${match.allowed.join(' or ')}.`, {}, {
        allow: match.allowed.join(', '),
      });
    }
    const reply = await match.handler({ method: req.method ?? 'GET', url, params: match.params, account: options.accountFor(req), req, res });
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
