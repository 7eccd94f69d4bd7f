// The loopback TCP port that cdp_url points at: Playwright and Puppeteer need ws://, and the daemon's API is a Unix socket.
//
// Loopback is not private the way the 0600 socket is (any local user can connect), so every URL carries its session's
// unguessable token, and this port serves nothing but the CDP WebSocket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { ApiError } from '../../transport/protocol/errors.js';
import { isCdpPath, type CdpProxy } from './cdp-proxy.js';
import { refuseUpgrade } from '../http/server.js';

export const CDP_HOST = '127.0.0.1';

export class CdpListener {
  private server: Server | null = null;
  private port = 0;

  constructor(
    private readonly proxy: CdpProxy,
    private readonly log: (message: string) => void,
  ) {}

  async listen(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const body = JSON.stringify(
        new ApiError('not_found', `This port only serves CDP WebSockets (ws://${CDP_HOST}:${this.port}/v1/browsers/ID/cdp?token=…); the fbay API is on the daemon's Unix socket.`).toBody(),
      );
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.on('upgrade', (req, socket, head) => {
      try {
        if (!isCdpPath(req.url)) throw new ApiError('not_found', 'This port only serves /v1/browsers/{id}/cdp.');
        this.proxy.handle(req, socket, head, null);
      } catch (err) {
        if (err instanceof ApiError) refuseUpgrade(socket, err);
        else {
          this.log(`cdp upgrade failed: ${(err as Error).stack ?? String(err)}`);
          socket.destroy();
        }
      }
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    server.listen(port, CDP_HOST);
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  get address(): string | null {
    return this.server ? `${CDP_HOST}:${this.port}` : null;
  }

  url(id: string, token: string): string {
    return `ws://${CDP_HOST}:${this.port}/v1/browsers/${id}/cdp?token=${token}`;
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = null;
  }
}
