// proxy: a session's traffic goes through it, and its credential challenges are answered without a prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { proxyArgs } from '../../../src/daemon/browsers/proxy-auth.js';
import { openHost, type HostHarness } from './host-harness.js';

interface Seen {
  url: string;
  auth: string | undefined;
}

/** A forward proxy that wants user:secret and answers every site itself (the machine has no other network). */
async function startProxy(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    // Chromium's own background requests (time, updates) go through the proxy too; they are not the page's.
    if (!url.includes('.test/')) return void res.writeHead(404).end();
    seen.push({ url, auth: req.headers['proxy-authorization'] });
    if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from('user:secret').toString('base64')}`) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', 'content-type': 'text/html' });
      return void res.end('<title>proxy error</title><h1>407 from the test proxy</h1>');
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<title>via proxy</title><h1>${new URL(url).pathname}</h1><script>fetch('/data.json')</script>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, seen };
}

let h: HostHarness;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  [h, proxy] = await Promise.all([openHost(), startProxy()]);
});
afterAll(async () => {
  await h.close();
  proxy.server.closeAllConnections();
  proxy.server.close();
});

const AUTH = `Basic ${Buffer.from('user:secret').toString('base64')}`;

describe('proxy', () => {
  it('takes the page’s requests, in every tab, with the credentials and no prompt', async () => {
    proxy.seen.length = 0;
    const server = `http://127.0.0.1:${proxy.port}`;
    const { id, browser } = await h.launch({ proxy: { server, username: 'user', password: 'secret' } });
    const pw = await h.connect(id);
    const context = pw.contexts()[0]!;
    const page = context.pages()[0]!;
    const fetched = page.waitForResponse('http://site.test/data.json');
    const res = await page.goto('http://site.test/first');
    expect(res!.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('/first');
    await fetched;
    const popupOpened = context.waitForEvent('page');
    await page.evaluate("window.open('http://other.test/popup')");
    const popup = await popupOpened;
    await popup.waitForLoadState();
    expect(await popup.textContent('h1')).toBe('/popup');
    const tab = await context.newPage();
    await tab.goto('http://third.test/tab');
    expect(await tab.textContent('h1')).toBe('/tab');
    const urls = proxy.seen.filter((s) => s.auth === AUTH).map((s) => s.url);
    expect(urls).toEqual(expect.arrayContaining(['http://site.test/first', 'http://site.test/data.json', 'http://other.test/popup', 'http://third.test/tab']));
    // Each one was challenged at most once: the credentials were offered, never asked of a person.
    expect(proxy.seen.every((s) => s.auth === undefined || s.auth === AUTH)).toBe(true);
    await browser.finish(h.host.artifactsDir(id));
  });

  it('with the wrong credentials: the session comes up and the page shows the proxy’s error', async () => {
    const { id, browser } = await h.launch({ proxy: { server: `127.0.0.1:${proxy.port}`, username: 'user', password: 'wrong' } });
    const pw = await h.connect(id);
    const page = pw.contexts()[0]!.pages()[0]!;
    const res = await page.goto('http://site.test/');
    expect(res!.status()).toBe(407);
    expect(await page.textContent('h1')).toBe('407 from the test proxy');
    await browser.finish(h.host.artifactsDir(id));
  });

  it('that refuses connections: the session comes up and the page shows Chromium’s proxy error', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const { id, browser } = await h.launch({ proxy: { server: `http://127.0.0.1:${port}` } });
    const pw = await h.connect(id);
    const page = pw.contexts()[0]!.pages()[0]!;
    await expect(page.goto('http://site.test/')).rejects.toThrow(/ERR_PROXY_CONNECTION_FAILED/);
    await browser.finish(h.host.artifactsDir(id));
  });

  it('goes on Chromium’s command line without its credentials', () => {
    expect(proxyArgs({ server: 'socks5://p:1080', username: 'u', password: 'p', bypass: 'a.test,*.b.test' })).toEqual([
      '--proxy-server=socks5://p:1080',
      '--proxy-bypass-list=a.test,*.b.test',
    ]);
    expect(proxyArgs(null)).toEqual([]);
  });
});
