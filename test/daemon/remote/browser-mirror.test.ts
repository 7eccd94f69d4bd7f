// A browser session on a remote host through the client daemon: created there, CDP through this daemon's port, a cut survived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';
import { servePages, type PageServer } from '../browsers/page-server.js';
import { apiRaw } from '../../helpers/daemon-process.js';

let t: TwoDaemons;
let pages: PageServer;

beforeAll(async () => {
  [t, pages] = await Promise.all([twoDaemons(), servePages()]);
});
afterAll(async () => {
  await Promise.all([t.close(), pages.close()]);
});

const hostBrowsers = async () => (await t.hostApi('GET', '/v1/browsers?all=1')).body.browsers as Array<{ id: string; status: string; endReason: string | null }>;

describe('browser sessions on a remote host', () => {
  it('a host out of reach at create: 502 upstream_unavailable, nothing reserved here or there', { timeout: 30_000 }, async () => {
    t.proxy.cut();
    const refused = await t.lab('POST', '/v1/browsers', {});
    t.proxy.restore();
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('upstream_unavailable');
    expect((await t.lab('GET', '/v1/browsers?all=1')).body.browsers).toEqual([]);
    expect(await hostBrowsers()).toEqual([]);
  });

  it('Playwright through the local cdp_url; a cut closes the client with 4003 and a reconnect finds the same page', { timeout: 90_000 }, async () => {
    const body = { metadata: { job: 'remote-1' }, record: ['har', 'screenshots'] };
    const created = await t.lab('POST', '/v1/browsers', body, { 'idempotency-key': 'k-remote-1' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ kind: 'browser', status: 'ready', account: 'local', host: 'lab', link: { state: 'open' }, metadata: { job: 'remote-1' }, record: ['har', 'screenshots'] });
    // The URL is this daemon's loopback CDP port, not the host's.
    expect(s.cdpUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:(\\d+)/v1/browsers/${s.id}/cdp\\?token=cdp_`));
    expect(s.cdpUrl).not.toContain(`:${t.host.port}/`);
    // The same id on the host, held by the client daemon's link; a retried create with the same key is the same session.
    expect((await t.hostApi('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'active', clients: 1 });
    const again = await t.lab('POST', '/v1/browsers', body, { 'idempotency-key': 'k-remote-1' });
    expect(again).toMatchObject({ status: 201, body: { id: s.id } });
    expect((await hostBrowsers()).map((b) => b.id)).toEqual([s.id]);

    const browser = await chromium.connectOverCDP(s.cdpUrl);
    const page = browser.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    await page.waitForFunction("document.getElementById('h')?.textContent === 'loaded'");
    expect(await page.evaluate('6 * 7')).toBe(42);
    expect((await t.lab('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'active', clients: 1 });
    await browser.close();

    // A raw client, to read the close code the cut brings.
    const raw = new WebSocket(s.cdpUrl);
    await once(raw, 'open');
    const closed = once(raw, 'close');
    t.proxy.cut();
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(4003);
    expect(reason.toString()).toMatch(/link to lab dropped: reconnect/);
    expect((await t.lab('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'ready', link: { state: 'reconnecting' } });
    // A client that reconnects while the link is down waits for it.
    const reconnecting = chromium.connectOverCDP(s.cdpUrl);
    t.proxy.restore();
    const back = await reconnecting;
    expect(back.contexts()[0]!.pages().map((p) => p.url())).toEqual([pages.url('/')]);
    expect(await back.contexts()[0]!.pages()[0]!.textContent('#h')).toBe('loaded');
    expect((await t.hostApi('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ id: s.id, status: 'active' });
    expect((await t.lab('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'active', link: { state: 'open' } });

    const disconnected = new Promise<void>((resolve) => back.once('disconnected', () => resolve()));
    const ended = await t.lab('DELETE', `/v1/browsers?id=${s.id}`);
    expect(ended.body).toMatchObject({ id: s.id, status: 'ended', endReason: 'user_ended', cdpUrl: null, host: 'lab' });
    await disconnected;
    expect((await t.hostApi('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'ended', endReason: 'user_ended' });
    expect((await t.lab('GET', '/v1/browsers')).body.browsers).toEqual([]);

    // Its artifacts come from the host, through this daemon, at this daemon's URLs.
    const { har, screenshots } = ended.body.artifacts;
    expect(har).toMatchObject({ name: 'network.har', url: `/v1/browsers/${s.id}/artifacts/network.har` });
    expect(screenshots.map((a: { name: string }) => a.name)).toEqual(['screenshots/page-1.png']);
    const harFile = await t.lab('GET', har.url);
    expect(harFile.status).toBe(200);
    expect(harFile.headers['content-type']).toBe('application/json');
    expect(harFile.body.log.entries.map((e: any) => e.request.url)).toContain(pages.url('/'));
    const png = await apiRaw(t.client.home.socket, screenshots[0].url, { 'fbay-remote': 'lab' });
    expect([png.status, png.type, png.body.subarray(1, 4).toString()]).toEqual([200, 'image/png', 'PNG']);
    expect(png.body.length).toBe(screenshots[0].bytes);
  });
});
