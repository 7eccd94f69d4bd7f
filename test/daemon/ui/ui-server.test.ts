// The dashboard listener in process, over real loopback sockets, with a clock the test moves: every check it makes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Router } from '../../../src/daemon/http/router.js';
import { createUiServer, type UiCore } from '../../../src/daemon/ui/ui-server.js';
import { loopbackHosts } from '../../../src/daemon/ui/guards.js';
import { SESSION_TTL_MS, UiSessions } from '../../../src/daemon/ui/ui-sessions.js';
import { StaticFiles } from '../../../src/daemon/ui/static-files.js';
import { cookieFrom, csrfFrom, http, tryWs } from './http-client.js';
import { manualClock, type ManualClock } from './manual-clock.js';

const SERIAL = '/v1/sessions/ses_abcdefghijklmnopqrstuvwx/serial';

let dir: string;
let clock: ManualClock;
let sessions: UiSessions;
let servers: Server[] = [];
const wss = new WebSocketServer({ noServer: true });

function core(): UiCore {
  const router = new Router().add([
    { method: 'GET', path: '/v1/whoami', handler: (r) => ({ status: 200, body: { account: r.account } }) },
    { method: 'POST', path: '/v1/whoami', handler: (r) => ({ status: 200, body: { account: r.account } }) },
  ]);
  return {
    router,
    upgrade: (req, socket, head, account) => wss.handleUpgrade(req, socket, head, (ws) => ws.send(account)),
    sessions,
    files: new StaticFiles(dir),
    keyAccount: (key) => (key === `key_${'a'.repeat(32)}` ? 'alice' : null),
    log: () => undefined,
  };
}

async function serve(mode: 'loopback' | 'tcp'): Promise<number> {
  const server = createUiServer(core(), {
    mode,
    hosts: loopbackHosts,
    ...(mode === 'tcp' ? { keyAccounts: { accountFor: (req) => (req.headers.authorization ? 'bob' : 'anonymous') } } : {}),
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Logs in through a one-time link, as `fbay ui` prints it. */
async function login(port: number) {
  const page = await http(port, 'GET', `/login?token=${sessions.mintLoginToken('local').token}`);
  return { page, cookie: cookieFrom(page), csrf: csrfFrom(page.text) };
}

beforeEach(() => {
  dir = mkdtempSync('/tmp/fbay-ui-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>fbay</title></head><body></body></html>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  clock = manualClock();
  sessions = new UiSessions({ clock });
});

afterEach(async () => {
  for (const ws of wss.clients) ws.terminate();
  await Promise.all(servers.map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('the loopback dashboard', () => {
  it('answers 403 to a Host that is not its own (DNS rebinding)', async () => {
    const port = await serve('loopback');
    for (const path of ['/ui/', '/v1/whoami', `/login?token=x`]) {
      const r = await http(port, 'GET', path, { host: 'evil.example' });
      expect(r.status, path).toBe(403);
      expect(r.json.error).toMatch(/answers only to 127\.0\.0\.1:\d+, localhost:\d+, \[::1\]:\d+/);
    }
    expect((await http(port, 'GET', '/ui/', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('sends its security headers and never CORS ones', async () => {
    const port = await serve('loopback');
    const { cookie, csrf } = await login(port);
    for (const r of [
      await http(port, 'GET', '/ui/', { origin: 'http://evil.example' }),
      await http(port, 'GET', '/ui/assets/index-abc.js'),
      await http(port, 'GET', '/v1/whoami', { cookie, 'x-fbay-csrf': csrf, origin: 'http://evil.example' }),
      await http(port, 'OPTIONS', '/v1/whoami', { origin: 'http://evil.example', 'access-control-request-method': 'POST' }),
    ]) {
      expect(r.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('logs in once with a link: HttpOnly SameSite=Strict cookie, the CSRF token in the page; a reused link says to run fbay ui', async () => {
    const port = await serve('loopback');
    const token = sessions.mintLoginToken('local').token;
    const first = await http(port, 'GET', `/login?token=${token}`);
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']![0]).toMatch(new RegExp(`^fbay_ui_${port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200$`));
    expect(csrfFrom(first.text)).toMatch(/^[\w-]{43}$/);
    const again = await http(port, 'GET', `/login?token=${token}`);
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.text).toContain('Run <code>fbay ui</code> again');
  });

  it('gives the API the login account with cookie + CSRF header; refuses a write or read without the header', async () => {
    const port = await serve('loopback');
    const { cookie, csrf } = await login(port);
    expect((await http(port, 'GET', '/v1/whoami', { cookie, 'x-fbay-csrf': csrf })).json).toEqual({ account: 'local' });
    expect((await http(port, 'POST', '/v1/whoami', { cookie, 'x-fbay-csrf': csrf })).json).toEqual({ account: 'local' });
    const noCsrf = await http(port, 'POST', '/v1/whoami', { cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.error).toMatch(/CSRF token \(the x-fbay-csrf header\)/);
    for (const method of ['PUT', 'PATCH', 'DELETE', 'GET']) expect((await http(port, method, '/v1/whoami', { cookie, 'x-fbay-csrf': 'wrong' })).status, method).toBe(403);
    expect((await http(port, 'GET', '/v1/whoami', { 'x-fbay-csrf': csrf })).status).toBe(401);
    expect((await http(port, 'POST', '/ui/ticket', { cookie }, { path: SERIAL })).status).toBe(403);
  });

  it('ends a login after 12 hours: the API says it expired, and so does /ui/me', async () => {
    const port = await serve('loopback');
    const { cookie, csrf } = await login(port);
    clock.advance(SESSION_TTL_MS);
    const r = await http(port, 'GET', '/v1/whoami', { cookie, 'x-fbay-csrf': csrf });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 'unauthorized', expired: true, login: 'token' });
    expect(r.json.error).toMatch(/expired .*Run `fbay ui`/);
    expect((await http(port, 'GET', '/ui/me', { cookie, 'x-fbay-csrf': csrf })).json).toMatchObject({ logged_in: false, why: expect.stringMatching(/expired/) });
  });

  it('opens a WebSocket with a single-use ticket from its own origin only', async () => {
    const port = await serve('loopback');
    const { cookie, csrf } = await login(port);
    const ticket = async () => (await http(port, 'POST', '/ui/ticket', { cookie, 'x-fbay-csrf': csrf }, { path: SERIAL })).json.ticket as string;
    const url = (t: string) => `ws://127.0.0.1:${port}${SERIAL}?ticket=${t}`;
    const own = { origin: `http://127.0.0.1:${port}` };
    expect(await tryWs(url(await ticket()), { origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await tryWs(url(await ticket()), { origin: 'http://evil.example', host: `127.0.0.1:${port}` })).toEqual({ refused: 403 });
    expect(await tryWs(`ws://127.0.0.1:${port}${SERIAL}`, { ...own, cookie })).toEqual({ refused: 401 });
    const t = await ticket();
    const ok = await tryWs(url(t), own);
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) {
      expect(await ok.first).toBe('local');
      ok.ws.close();
    }
    expect(await tryWs(url(t), own)).toEqual({ refused: 401 });
    expect(await tryWs(url(await ticket()), { origin: own.origin, host: 'evil.example' })).toEqual({ refused: 403 });
  });

  it('opens the event stream with a ticket, for its path only', async () => {
    const port = await serve('loopback');
    const { cookie, csrf } = await login(port);
    const t = (await http(port, 'POST', '/ui/ticket', { cookie, 'x-fbay-csrf': csrf }, { path: '/v1/events' })).json.ticket;
    expect((await http(port, 'GET', `/v1/whoami?ticket=${t}`)).status).toBe(401);
    const bad = await http(port, 'POST', '/ui/ticket', { cookie, 'x-fbay-csrf': csrf }, { path: '/v1/daemon/stop' });
    expect(bad.status).toBe(400);
  });

  it('does not make login links for the Unix socket route', async () => {
    const port = await serve('loopback');
    const { cookie, csrf } = await login(port);
    expect((await http(port, 'POST', '/v1/ui/login', { cookie, 'x-fbay-csrf': csrf })).status).toBe(404);
  });
});

describe('the --listen dashboard', () => {
  it('passes API-key requests through; logs in with a key in the body, never a URL', async () => {
    const port = await serve('tcp');
    expect((await http(port, 'GET', '/v1/whoami', { authorization: 'Bearer key_x' })).json).toEqual({ account: 'bob' });
    // By whatever name teammates reach the host (a proxy, a DNS name): the Host check is the dashboard's, not the API's.
    expect((await http(port, 'GET', '/v1/whoami', { authorization: 'Bearer key_x', host: 'boards.lab.example:7070' })).json).toEqual({ account: 'bob' });
    expect((await http(port, 'GET', '/ui/', { host: 'boards.lab.example:7070' })).status).toBe(403);
    const wrong = await http(port, 'POST', '/ui/login', {}, { key: 'key_nope' });
    expect(wrong.status).toBe(401);
    const ok = await http(port, 'POST', '/ui/login', {}, { key: `key_${'a'.repeat(32)}` });
    expect(ok.status).toBe(200);
    expect(ok.json.account).toBe('alice');
    const cookie = cookieFrom(ok);
    expect((await http(port, 'GET', '/v1/whoami', { cookie, 'x-fbay-csrf': ok.json.csrf })).json).toEqual({ account: 'alice' });
    expect((await http(port, 'DELETE', '/v1/whoami', { cookie })).status).toBe(403);
    expect((await http(port, 'GET', '/ui/me', { cookie, 'x-fbay-csrf': ok.json.csrf })).json).toMatchObject({ logged_in: true, account: 'alice', owner: false, via: 'key' });
  });
});
