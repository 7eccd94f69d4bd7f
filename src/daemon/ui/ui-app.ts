// One dashboard-serving listener: checks Host (and Origin on upgrades), serves the page and its login routes, and hands
// /v1 requests and WebSockets to the daemon's own API server with the account of the login (cookie + CSRF, or ticket).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { refuseUpgrade } from '../http/server.js';
import { CSRF_HEADER, cookieOf, headerOf, setSecurityHeaders, type HostAllowlist } from './guards.js';
import { cookieName, sendApiError, wrongHost } from './replies.js';
import type { UiSessions } from './ui-sessions.js';
import { uiRoute, type UiContext } from './ui-routes.js';
import type { StaticFiles } from './static-files.js';
import type { FirstPaint } from './first-paint.js';

/** Which account a request handed to the API speaks for; set here, read by the API server's accountFor. */
export class RequestAccounts {
  readonly #accounts = new WeakMap<IncomingMessage, string>();
  set(req: IncomingMessage, account: string): void {
    this.#accounts.set(req, account);
  }
  get(req: IncomingMessage): string | undefined {
    return this.#accounts.get(req);
  }
}

export interface UiAppOptions {
  sessions: UiSessions;
  files: StaticFiles;
  firstPaint?: FirstPaint;
  hosts: HostAllowlist;
  accounts: RequestAccounts;
  /** The daemon's API (createApiServer, never listening itself): requests and upgrades are emitted into it. */
  api: Server;
  port: number;
  secure: boolean;
  /**
   * `loopback`: every /v1 request needs a dashboard login. `tcp` (a `--listen` daemon): a request that brings an API
   * key (or none of the dashboard's credentials) goes to the API as it is, which asks for a key.
   */
  mode: 'loopback' | 'tcp';
  /** The account of an API key, for the login form; null when it is not valid. */
  keyAccount(key: string): string | null;
  log(message: string): void;
}

const notLoggedIn = (mode: UiAppOptions['mode']) =>
  mode === 'loopback'
    ? 'You are not logged in to this dashboard. Run `fbay ui` for a login link.'
    : 'You are not logged in to this dashboard. Log in with an API key at /ui/.';

export class UiApp {
  constructor(private readonly o: UiAppOptions) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fbay');
    // Teammates' API clients (a key, or no dashboard login) reach the API as before, by whatever name they use.
    if (this.#keyClient(req, url)) return void this.o.api.emit('request', req, res);
    setSecurityHeaders(res);
    if (!this.o.hosts.allows(req)) return sendApiError(res, wrongHost(this.o.hosts.hosts));
    const path = url.pathname;
    if (path.startsWith('/v1/ui/')) {
      return sendApiError(res, new ApiError('not_found', 'Dashboard logins are made over the Unix socket: run `fbay ui`.'));
    }
    if (path.startsWith('/v1/')) return this.#api(req, res, url);
    const ctx: UiContext = { ...this.o, req, res, url, login: () => this.#login(req) };
    uiRoute(ctx).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof ApiError) return sendApiError(res, err);
      this.o.log(`bug: dashboard ${req.method} ${path}: ${(err as Error).stack ?? String(err)}`);
      sendApiError(res, new ApiError('internal_error', 'The dashboard hit a bug; see `fbay daemon logs`.'));
    });
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (err: ApiError) => refuseUpgrade(socket, err);
    const origin = headerOf(req, 'origin');
    const url = new URL(req.url ?? '/', 'http://fbay');
    // A key client sends no Origin (browsers always do): its upgrade goes to the API, which asks for the key.
    if (origin === undefined && this.#keyClient(req, url)) return void this.o.api.emit('upgrade', req, socket, head);
    if (!this.o.hosts.allows(req)) return refuse(wrongHost(this.o.hosts.hosts));
    // Browsers always send Origin on a WebSocket handshake; a page of another site must not reach the board.
    if (origin !== undefined && !this.o.hosts.allowsOrigin(origin, this.o.secure)) {
      return refuse(new ApiError('forbidden', `WebSocket from another origin (${origin.slice(0, 100)}) refused: the dashboard opens its own.`));
    }
    const ticket = url.searchParams.get('ticket');
    if (ticket !== null) {
      const account = this.o.sessions.redeemTicket(ticket, url.pathname);
      if (!account) return refuse(new ApiError('unauthorized', 'That WebSocket ticket is used up, expired or for another path: ask POST /ui/ticket for a new one.'));
      this.o.accounts.set(req, account);
      dropTicket(req, url);
    } else {
      return refuse(new ApiError('unauthorized', 'A dashboard WebSocket needs a ticket (POST /ui/ticket, then ?ticket=).'));
    }
    this.o.api.emit('upgrade', req, socket, head);
  }

  /** The dashboard login behind a request: its session if the cookie and the CSRF header match. */
  #login(req: IncomingMessage): { account: string; via: 'token' | 'key'; expires_at: number } {
    const check = this.o.sessions.check(cookieOf(req, cookieName(this.o.port)), headerOf(req, CSRF_HEADER) ?? undefined);
    if (check.ok) return check.session;
    throw loginError(check.why, this.o.mode);
  }

  /** On `--listen`: an API request that brings a key, or none of the dashboard's credentials (cookie, ticket). */
  #keyClient(req: IncomingMessage, url: URL): boolean {
    // Prometheus scrapes /metrics with a metrics key: an API request too.
    const api = url.pathname.startsWith('/v1/') || url.pathname === '/metrics';
    if (this.o.mode !== 'tcp' || !api || url.pathname.startsWith('/v1/ui/')) return false;
    if (headerOf(req, 'authorization') !== undefined) return true;
    return !url.searchParams.has('ticket') && cookieOf(req, cookieName(this.o.port)) === undefined;
  }

  #api(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const ticket = url.searchParams.get('ticket');
    try {
      if (ticket !== null && (req.method === 'GET' || req.method === 'HEAD')) {
        // EventSource cannot send headers: the event stream opens with a ticket, like a WebSocket.
        const account = this.o.sessions.redeemTicket(ticket, url.pathname);
        if (!account) throw new ApiError('unauthorized', 'That ticket is used up, expired or for another path: ask POST /ui/ticket for a new one.');
        this.o.accounts.set(req, account);
        dropTicket(req, url);
      } else {
        this.o.accounts.set(req, this.#login(req).account);
      }
    } catch (err) {
      return sendApiError(res, err as ApiError);
    }
    res.setHeader('cache-control', 'no-store');
    this.o.api.emit('request', req, res);
  }
}

/** The ticket did its job here: the API behind sees the request without it (its queries are checked strictly). */
function dropTicket(req: IncomingMessage, url: URL): void {
  const rest = new URLSearchParams(url.search);
  rest.delete('ticket');
  const query = rest.toString();
  req.url = `${url.pathname}${query ? `?${query}` : ''}`;
}

export function loginError(why: 'missing' | 'unknown' | 'expired' | 'csrf' | 'revoked', mode: UiAppOptions['mode']): ApiError {
  const login = { login: mode === 'loopback' ? 'token' : 'key' };
  switch (why) {
    case 'csrf':
      return new ApiError('forbidden', `This request lacks the dashboard's CSRF token (the ${CSRF_HEADER} header): reload the dashboard, or log in again.`, login);
    case 'expired':
      return new ApiError('unauthorized', `Your dashboard login has expired (logins last 12 hours). ${mode === 'loopback' ? 'Run `fbay ui` for a new link.' : 'Log in again at /ui/.'}`, { ...login, expired: true });
    case 'revoked':
      return new ApiError('unauthorized', 'The API key this dashboard login was made with has been revoked. Ask the host owner for a new key.', login);
    default:
      return new ApiError('unauthorized', notLoggedIn(mode), login);
  }
}
