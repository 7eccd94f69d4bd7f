// Builds a dashboard listener: an outer HTTP(S) server with the dashboard's checks in front of the daemon's API server.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApiServer, type ServerOptions } from '../http/server.js';
import type { Router } from '../http/router.js';
import type { FirstPaint } from './first-paint.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { HostAllowlist } from './guards.js';
import { RequestAccounts, UiApp } from './ui-app.js';
import type { StaticFiles } from './static-files.js';
import type { UiSessions } from './ui-sessions.js';

/** What every dashboard listener shares. */
export interface UiCore {
  router: Router;
  upgrade: ServerOptions['upgrade'];
  sessions: UiSessions;
  files: StaticFiles;
  /** The login link's page rendered here, boards and all (absent: the page loads them itself). */
  firstPaint?: FirstPaint;
  keyAccount(key: string): string | null;
  log(message: string): void;
  beforeRequest?: ServerOptions['beforeRequest'];
}

export interface UiListenerOptions {
  mode: 'loopback' | 'tcp';
  /** The Host values allowed, given the port the server got. */
  hosts(port: number): string[];
  tls?: { cert: Buffer; key: Buffer };
  /** tcp: how requests that bring an API key (or no dashboard login) are authenticated. */
  keyAccounts?: Pick<ServerOptions, 'accountFor' | 'publicAccount'>;
}

export function createUiServer(core: UiCore, options: UiListenerOptions): Server {
  const accounts = new RequestAccounts();
  const marked = (req: IncomingMessage): string | undefined => accounts.get(req);
  const keyed = options.keyAccounts;
  const unmarked = (req: IncomingMessage): string => {
    // On loopback every request reaching the API was marked by the dashboard; anything else is a bug, refused.
    if (!keyed) throw new ApiError('unauthorized', 'You are not logged in to this dashboard. Run `fbay ui` for a login link.');
    return keyed.accountFor(req);
  };
  const api = createApiServer({
    router: core.router,
    upgrade: core.upgrade,
    log: core.log,
    ...(core.beforeRequest ? { beforeRequest: core.beforeRequest } : {}),
    accountFor: (req) => marked(req) ?? unmarked(req),
    publicAccount: (req) => marked(req) ?? (keyed?.publicAccount ?? keyed?.accountFor ?? unmarked)(req),
  });
  let app: UiApp | null = null;
  // Built on the first request: only then is the port known when listening on port 0.
  const appOf = (server: Server): UiApp =>
    (app ??= new UiApp({
      ...core,
      accounts,
      api,
      mode: options.mode,
      port: (server.address() as AddressInfo).port,
      secure: options.tls !== undefined,
      hosts: new HostAllowlist(options.hosts((server.address() as AddressInfo).port)),
    }));
  const server: Server = options.tls
    ? (createTlsServer({ keepAliveTimeout: 5000, cert: options.tls.cert, key: options.tls.key }) as unknown as Server)
    : createServer({ keepAliveTimeout: 5000 });
  server.on('request', (req, res) => appOf(server).handle(req, res));
  // `Expect: 100-continue` is the API's to answer (a flash upload asks only once its headers pass): without this
  // listener Node would send 100 Continue itself, so a refused upload's body came anyway and a passed one got two.
  server.on('checkContinue', (req, res) => appOf(server).handle(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => appOf(server).upgrade(req, socket, head));
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
