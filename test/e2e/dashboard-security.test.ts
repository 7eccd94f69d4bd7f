// The dashboard's guards against the built daemon, over real sockets: Host, Origin, CSRF, one-time links, headers, and
// the --listen dashboard's API-key login in Chromium.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Health, Session } from '../../src/transport/protocol/api.js';
import { Home } from './helpers.js';
import { loginUrl, openDashboard, startFromGrid, dashboardSuite } from './dashboard-helpers.js';
import { cookieFrom, csrfFrom, http, tryWs } from '../daemon/ui/http-client.js';

let browser: Browser;
let home: Home;
dashboardSuite((b) => (browser = b), (h) => (home = h));

/** Logs in with the printed link over plain HTTP: the port, the cookie and the CSRF token. */
async function login() {
  const url = new URL(await loginUrl(home));
  const port = Number(url.port);
  const page = await http(port, 'GET', `${url.pathname}${url.search}`);
  return { port, url, page, cookie: cookieFrom(page), csrf: csrfFrom(page.text) };
}

describe('the loopback dashboard against a real daemon', () => {
  it('refuses a Host that is not its own, with 403', async () => {
    const { port, cookie, csrf } = await login();
    for (const path of ['/ui/', '/v1/boards', '/ui/assets/x.js']) {
      expect((await http(port, 'GET', path, { host: 'evil.example', cookie, 'x-fbay-csrf': csrf })).status, path).toBe(403);
    }
    expect((await http(port, 'GET', '/v1/boards', { host: `evil.example:${port}`, cookie, 'x-fbay-csrf': csrf })).status).toBe(403);
    expect((await http(port, 'GET', '/v1/boards', { cookie, 'x-fbay-csrf': csrf })).status).toBe(200);
  });

  it('refuses a write without the CSRF header, and does not do it', async () => {
    const { port, cookie, csrf } = await login();
    const write = await http(port, 'POST', '/v1/sessions', { cookie }, { board_type: 'virtual' });
    expect(write.status).toBe(403);
    expect(write.json.code).toBe('forbidden');
    expect((await home.json<{ sessions: Session[] }>('session', 'list')).sessions).toEqual([]);
    const made = await http(port, 'POST', '/v1/sessions', { cookie, 'x-fbay-csrf': csrf }, { board_type: 'virtual' });
    expect(made.status).toBe(201);
    for (const [method, path] of [['DELETE', `/v1/sessions/${made.json.id}`], ['PATCH', `/v1/sessions/${made.json.id}`], ['PUT', '/v1/boards']]) {
      expect((await http(port, method!, path!, { cookie, 'x-fbay-csrf': 'not-it' }, {})).status, method).toBe(403);
    }
    expect((await home.json<Session>('session', 'show', made.json.id)).state).not.toBe('ended');
  });

  it('refuses a serial WebSocket from another origin, even with a valid ticket; its own origin gets the board', async () => {
    const { port, cookie, csrf } = await login();
    const s = (await http(port, 'POST', '/v1/sessions', { cookie, 'x-fbay-csrf': csrf }, { board_type: 'virtual' })).json as Session;
    const path = `/v1/sessions/${s.id}/serial`;
    const ticket = async () => (await http(port, 'POST', '/ui/ticket', { cookie, 'x-fbay-csrf': csrf }, { path })).json.ticket as string;
    expect(await tryWs(`ws://127.0.0.1:${port}${path}?ticket=${await ticket()}`, { origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await tryWs(`ws://127.0.0.1:${port}${path}`, { origin: `http://127.0.0.1:${port}`, cookie })).toEqual({ refused: 401 });
    const ok = await tryWs(`ws://127.0.0.1:${port}${path}?ticket=${await ticket()}`, { origin: `http://127.0.0.1:${port}` });
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });

  it("refuses a browser's live view from another origin, without a ticket, or with a ticket for another path", async () => {
    const { port, cookie, csrf } = await login();
    const b = (await http(port, 'POST', '/v1/browsers', { cookie, 'x-fbay-csrf': csrf }, {})).json as { id: string };
    expect((await http(port, 'GET', `/v1/browsers?id=${b.id}&wait=usable`, { cookie, 'x-fbay-csrf': csrf })).status).toBe(200);
    const path = `/v1/browsers/${b.id}/screencast`;
    const ticket = async (p = path) => (await http(port, 'POST', '/ui/ticket', { cookie, 'x-fbay-csrf': csrf }, { path: p })).json.ticket as string;
    const own = { origin: `http://127.0.0.1:${port}` };
    expect(await tryWs(`ws://127.0.0.1:${port}${path}?ticket=${await ticket()}`, { origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await tryWs(`ws://127.0.0.1:${port}${path}`, { ...own, cookie })).toEqual({ refused: 401 });
    expect(await tryWs(`ws://127.0.0.1:${port}${path}?ticket=${await ticket(`/v1/browsers/${b.id}/cdp`)}`, own)).toEqual({ refused: 401 });
    const ok = await tryWs(`ws://127.0.0.1:${port}${path}?ticket=${await ticket()}`, own);
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });

  it('voids a login link once used', async () => {
    const { port, url } = await login();
    const again = await http(port, 'GET', `${url.pathname}${url.search}`);
    expect(again.status).toBe(403);
    expect(again.text).toContain('Run <code>fbay ui</code> again');
  });

  it('sends CSP without inline script, frame and sniffing guards, no referrer, and no CORS', async () => {
    const { port, page, cookie, csrf } = await login();
    const api = await http(port, 'GET', '/v1/boards', { cookie, 'x-fbay-csrf': csrf, origin: 'http://evil.example' });
    for (const r of [page, api]) {
      expect(r.headers['content-security-policy']).toContain("script-src 'self';");
      expect(r.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(Object.keys(r.headers).some((h) => h.startsWith('access-control-'))).toBe(false);
    }
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script in the page
  });

  it('puts no API key or login token in any URL the page uses', async () => {
    const urls: string[] = [];
    const { page } = await openDashboard(browser, home, {
      before: (p) => {
        p.on('request', (r) => urls.push(r.url()));
        p.on('websocket', (ws) => urls.push(ws.url()));
      },
    });
    await startFromGrid(page, 'virtual-1');
    expect(urls.some((u) => u.includes('/serial?ticket='))).toBe(true);
    expect(urls.some((u) => u.includes('/v1/events?ticket='))).toBe(true);
    // The one-time login link itself is the only URL with a token, and it is spent by the time the page runs.
    expect(urls.filter((u) => /key_|token=|csrf/.test(u)).map((u) => new URL(u).pathname)).toEqual(['/login']);
    await page.context().close();
  });
});

describe('a --listen daemon', () => {
  it('serves the dashboard under /ui/ with a login form that takes an API key for its account', async () => {
    await home.json('config', 'set', 'listen', '127.0.0.1:0');
    const health = await home.json<Health>('daemon', 'start');
    const tcp = (health.listeners ?? []).find((l) => l.startsWith('tcp:'));
    const port = Number(tcp!.split(':').pop());
    const { key } = await home.json<{ key: string }>('keys', 'create', '--name', 'alice', '--tier', 'top_up', '--credits', '50');
    // Teammates' API clients are unchanged: a key in the header.
    expect((await http(port, 'GET', '/v1/auth/me', { authorization: `Bearer ${key}` })).json.account).toBe('alice');
    expect((await http(port, 'GET', '/ui/', { host: 'evil.example' })).status).toBe(403);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/ui/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-board]').first().waitFor();
    expect(await page.locator('.who').textContent()).toBe('alice');
    expect(await page.getByRole('link', { name: 'Host' }).count()).toBe(0); // owner only
    const id = await startFromGrid(page, 'virtual-1');
    expect((await http(port, 'GET', `/v1/sessions/${id}`, { authorization: `Bearer ${key}` })).json.account).toBe('alice');
    await context.close();
  });
});
