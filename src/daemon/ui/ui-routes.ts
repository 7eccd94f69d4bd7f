// The dashboard's own routes: the page, its assets, the one-time link login, the API-key login form, logout, tickets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';
import { readBody } from '../http/body.js';
import { sendJson } from '../http/server.js';
import { RateLimiter } from '../auth/rate-limit.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';
import { clearedCookie, cookieName, metaTag, sendApiError, sendHtml, sendPage, sessionCookie } from './replies.js';
import { cookieOf, WRITE_METHODS, type HostAllowlist } from './guards.js';
import type { NewLogin, UiSessions } from './ui-sessions.js';
import type { StaticFiles } from './static-files.js';
import type { FirstPaint } from './first-paint.js';

export interface UiContext {
  sessions: UiSessions;
  files: StaticFiles;
  firstPaint?: FirstPaint | undefined;
  hosts: HostAllowlist;
  port: number;
  secure: boolean;
  mode: 'loopback' | 'tcp';
  keyAccount(key: string): string | null;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The login of this request (cookie + CSRF header), or throws 401/403. */
  login(): { account: string; via: 'token' | 'key'; expires_at: number };
}

/** Failed key logins draw from a bucket per address, as unauthenticated API requests do. */
const keyAttempts = new RateLimiter({ perSecond: 1, burst: 10 });

const TICKET_PATH = /^\/v1\/(events|sessions\/ses_[A-Za-z0-9]{24}\/serial|browsers\/[A-Za-z0-9_-]{1,64}\/(cdp|screencast))$/;

export async function uiRoute(c: UiContext): Promise<void> {
  const { req, res, url } = c;
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const read = method === 'GET' || method === 'HEAD';
  if (read && path === '/') return redirect(res, '/ui/');
  if (read && (path === '/login' || path === '/ui/login') && url.searchParams.has('token')) return tokenLogin(c, url.searchParams.get('token')!);
  if (read && (path === '/ui' || path === '/ui/' || path === '/ui/index.html')) return sendHtml(res, c.files.index());
  if (read && path.startsWith('/ui/assets/') && c.files.serveAsset(path.slice('/ui/assets/'.length), req, res)) return;
  if (method === 'POST' && path === '/ui/login') return keyLogin(c);
  if (method === 'POST' && path === '/ui/logout') {
    c.login();
    c.sessions.logout(cookieOf(req, cookieName(c.port))!);
    return sendJson(res, 200, { logged_out: true }, { 'set-cookie': clearedCookie(c.port, c.secure), 'cache-control': 'no-store' });
  }
  if (read && path === '/ui/me') return me(c);
  if (method === 'POST' && path === '/ui/ticket') {
    const s = c.login();
    const body = await smallJson(req);
    const target = typeof body.path === 'string' ? body.path : '';
    if (!TICKET_PATH.test(target)) {
      throw new ApiError('invalid_request', `A ticket opens /v1/events, /v1/sessions/{id}/serial, /v1/browsers/{id}/cdp or /v1/browsers/{id}/screencast; got ${JSON.stringify(target.slice(0, 80))}.`);
    }
    const { ticket, expires_at } = c.sessions.mintTicket(s.account, target);
    return sendJson(res, 201, { ticket, path: target, expires_at: new Date(expires_at).toISOString() }, { 'cache-control': 'no-store' });
  }
  if (WRITE_METHODS.has(method) && path.startsWith('/ui/')) c.login(); // a write to an unknown path still needs the login
  throw new ApiError('not_found', `No such page: ${path}. The dashboard is at /ui/.`);
}

const loginKind = (c: UiContext) => (c.mode === 'loopback' ? 'token' : 'key');

/** GET /ui/me's answer for a login. */
const meOf = (c: UiContext, s: { account: string; via: 'token' | 'key'; expires_at: number }): Record<string, unknown> => ({
  logged_in: true,
  account: s.account,
  owner: s.account === LOCAL_ACCOUNT,
  via: s.via,
  expires_at: new Date(s.expires_at).toISOString(),
  login: loginKind(c),
});

/** Who the page is logged in as; 200 either way, so a page that is not logged in logs no error in the console. */
function me(c: UiContext): void {
  const login = loginKind(c);
  let body: Record<string, unknown>;
  try {
    body = meOf(c, c.login());
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
    body = { logged_in: false, login, why: err.message };
  }
  sendJson(c.res, 200, body, { 'cache-control': 'no-store' });
}

function redirect(res: ServerResponse, to: string): void {
  res.writeHead(302, { location: to, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}

/**
 * The link `fbay ui` printed: the token is good once; the page gets its CSRF token in a meta tag, never in a URL, and
 * comes with its boards page already drawn (where this daemon can render it).
 */
async function tokenLogin(c: UiContext, token: string): Promise<void> {
  const login = c.sessions.redeemLoginToken(token);
  if (!login) {
    return sendPage(c.res, 403, 'This login link has been used', [
      'A login link works once, for 10 minutes. This one was used already, or it is too old.',
      'Run `fbay ui` again for a new link.',
    ]);
  }
  const first = await c.firstPaint?.page(login.session.account, meOf(c, login.session), c.req, c.res);
  sendHtml(c.res, c.files.index(loginMeta(login) + (first?.head ?? ''), first?.root), { 'set-cookie': sessionCookie(c.port, login.cookie, c.secure) });
}

const loginMeta = (login: NewLogin) => metaTag('fbay-csrf', login.csrf) + metaTag('fbay-account', login.session.account);

/** The login form of a `--listen` dashboard: an API key (in the body, never a URL) for that key's account. */
async function keyLogin(c: UiContext): Promise<void> {
  const wait = keyAttempts.take(c.req.socket.remoteAddress ?? 'unknown');
  if (wait > 0) throw new ApiError('rate_limited', `Too many login attempts; retry in ${wait} s.`, {}, { 'retry-after': String(wait) });
  const body = await smallJson(c.req);
  const key = typeof body.key === 'string' ? body.key.trim() : '';
  const account = key ? c.keyAccount(key) : null;
  if (!account) {
    return sendApiError(c.res, new ApiError('unauthorized', key ? 'That API key is not valid (or has been revoked). Ask the host owner for one: `fbay keys create NAME`.' : 'Paste an API key (key_…) to log in.'));
  }
  const login = c.sessions.login(account, 'key');
  sendJson(c.res, 200, { account, csrf: login.csrf, expires_at: new Date(login.session.expires_at).toISOString() }, {
    'set-cookie': sessionCookie(c.port, login.cookie, c.secure),
    'cache-control': 'no-store',
  });
}

async function smallJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, 16 * 1024);
  if (raw.length === 0) return {};
  try {
    const value = JSON.parse(raw.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ApiError('invalid_request', 'The body must be a JSON object.');
}
