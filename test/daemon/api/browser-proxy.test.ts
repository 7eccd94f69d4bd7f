// proxy through the daemon's API: a small forward proxy in the test sees the page's requests with the right
// credentials; a proxy that wants other credentials, or refuses connections, still gives a ready session whose pages
// show the proxy's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { chromium } from 'playwright-core';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

const AUTH = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

/** A forward proxy that wants alice:s3cret and answers every `.test` site itself (the machine has no other network). */
async function startProxy(): Promise<{ server: Server; port: number; seen: { url: string; auth: string | undefined }[] }> {
  const seen: { url: string; auth: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    // Chromium's own background requests go through the proxy too; they are not the page's.
    if (!url.includes('.test/')) return void res.writeHead(404).end();
    seen.push({ url, auth: req.headers['proxy-authorization'] });
    if (req.headers['proxy-authorization'] !== AUTH) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', 'content-type': 'text/html' });
      return void res.end('<title>proxy error</title><h1>407 from the test proxy</h1>');
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<title>via proxy</title><h1>${new URL(url).pathname}</h1>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, seen };
}

/** A port nothing listens on any more. */
async function closedPort(): Promise<number> {
  const s = createTcpServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

let h: TestHome;
let d: DaemonProcess;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ browsers: { max_concurrent: 3, warm: 1 } });
  [d, proxy] = await Promise.all([spawnDaemon(h.home), startProxy()]);
});
afterAll(async () => {
  await stopDaemon(d);
  proxy.server.closeAllConnections();
  proxy.server.close();
  h.cleanup();
});

async function withPage(body: unknown, fn: (page: import('playwright-core').Page, session: any) => Promise<void>): Promise<void> {
  const created = await api(h.socket, 'POST', '/v1/browsers', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body).toMatchObject({ status: 'ready', warm: false });
  const browser = await chromium.connectOverCDP(created.body.cdpUrl);
  try {
    await fn(browser.contexts()[0]!.pages()[0]!, created.body);
  } finally {
    await browser.close();
    await api(h.socket, 'DELETE', `/v1/browsers?id=${created.body.id}`);
  }
}

describe('proxy', () => {
  it('sees the page’s requests with the right credentials, never a prompt; the password is not shown back', { timeout: 60_000 }, async () => {
    proxy.seen.length = 0;
    const server = `http://127.0.0.1:${proxy.port}`;
    await withPage({ proxy: { server, username: 'alice', password: 's3cret' } }, async (page, s) => {
      expect(s.proxy).toEqual({ server, username: 'alice' });
      expect(JSON.stringify(s)).not.toContain('s3cret');
      expect((await page.goto('http://shop.test/cart'))!.status()).toBe(200);
      expect(await page.textContent('h1')).toBe('/cart');
      const tab = await page.context().newPage();
      await tab.goto('http://other.test/tab');
      expect(await tab.textContent('h1')).toBe('/tab');
    });
    const authorised = proxy.seen.filter((r) => r.auth === AUTH).map((r) => r.url);
    expect(authorised).toEqual(expect.arrayContaining(['http://shop.test/cart', 'http://other.test/tab']));
    expect(proxy.seen.every((r) => r.auth === undefined || r.auth === AUTH)).toBe(true);
  });

  it('with the wrong credentials: ready all the same, and the page shows the proxy’s error', { timeout: 60_000 }, async () => {
    await withPage({ proxy: { server: `127.0.0.1:${proxy.port}`, username: 'alice', password: 'wrong' } }, async (page) => {
      const res = await page.goto('http://shop.test/');
      expect(res!.status()).toBe(407);
      expect(await page.textContent('h1')).toBe('407 from the test proxy');
    });
  });

  it('one that refuses connections: ready all the same, and the page fails with the proxy error', { timeout: 60_000 }, async () => {
    await withPage({ proxy: { server: `http://127.0.0.1:${await closedPort()}` } }, async (page) => {
      const failed = await page.goto('http://shop.test/').then(() => 'loaded', (err: Error) => err.message);
      expect(failed).toMatch(/net::ERR_PROXY_CONNECTION_FAILED/);
      // Chromium's own error page is what the tab shows: goto fails before that page commits, so wait for its load.
      await page.waitForURL(/^chrome-error:/, { waitUntil: 'load' });
      expect(await page.evaluate('location.href')).toMatch(/^chrome-error:/);
    });
  });
});
