// Browser sessions against a real daemon and a real Debian Chromium, driven by playwright-core through cdp_url.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { servePages, type PageServer } from '../browsers/page-server.js';
import { checkPng } from '../browsers/png.js';

let h: TestHome;
let d: DaemonProcess;
let pages: PageServer;

/** The owner's browser plan comes from its tier: `plan` sets the local tier's browser_plan. No warm browsers here (cold starts, as each test counts). */
const config = ({ plan = 'builder', ...browsers }: Record<string, unknown>) => ({ browsers: { max_concurrent: 2, warm: 0, ...browsers }, tiers: { local: { browser_plan: plan } } });

async function reconfigure(browsers: Record<string, unknown>): Promise<void> {
  h.writeConfig(config(browsers));
  expect((await api(h.socket, 'POST', '/v1/config/reload', { changed: ['browsers'] })).status).toBe(204);
}

beforeAll(async () => {
  h = makeHome();
  h.writeConfig(config({}));
  [d, pages] = await Promise.all([spawnDaemon(h.home), servePages()]);
});
afterAll(async () => {
  await stopDaemon(d);
  await pages.close();
  h.cleanup();
});
beforeEach(async () => {
  const live = await api(h.socket, 'GET', '/v1/browsers');
  await Promise.all(live.body.browsers.map((b: { id: string }) => api(h.socket, 'DELETE', `/v1/browsers?id=${b.id}`)));
  await reconfigure({});
});

const create = (body: unknown = {}) => api(h.socket, 'POST', '/v1/browsers', body);
const show = (id: string, query = '') => api(h.socket, 'GET', `/v1/browsers?id=${id}${query}`);

/** A raw CDP client on the proxy: sends requests, resolves replies by id. */
async function rawCdp(url: string) {
  const ws = new WebSocket(url, { maxPayload: 512 * 1024 * 1024 });
  await once(ws, 'open');
  let next = 1;
  const waiting = new Map<number, (m: any) => void>();
  const loose: any[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (typeof m.id === 'number' && waiting.has(m.id)) waiting.get(m.id)!(m);
    else loose.push(m);
  });
  return {
    ws,
    loose,
    call: (method: string, params: object = {}, sessionId?: string) =>
      new Promise<any>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      }),
    raw: (text: string) =>
      new Promise<any>((resolve) => {
        ws.once('message', (data) => resolve(JSON.parse(data.toString())));
        ws.send(text);
      }),
  };
}

describe('browser sessions through cdpUrl', () => {
  it('Playwright navigates, evaluates and screenshots; a dropped client reconnects to the same page; artifacts are valid', async () => {
    const created = await create({ record: ['consoleLogs', 'screenshots', 'har'], metadata: { job: 'ci-7' } });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ kind: 'browser', status: 'ready', account: 'local', clients: 0, record: ['consoleLogs', 'screenshots', 'har'], metadata: { job: 'ci-7' } });
    expect(s.cdpUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v1/browsers/${s.id}/cdp\\?token=cdp_`));
    expect(s.browserVersion).toMatch(/Chrome/);

    const browser = await chromium.connectOverCDP(s.cdpUrl);
    const page = browser.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    // Page code as strings: the tests compile without the DOM's types.
    await page.waitForFunction("document.getElementById('h')?.textContent === 'loaded'");
    expect(await page.evaluate('6 * 7')).toBe(42);
    const viewport = await page.evaluate<{ width: number; height: number }>('({ width: innerWidth, height: innerHeight })');
    expect(viewport.width).toBe(1280);
    expect(checkPng(await page.screenshot())).toEqual(viewport);
    expect((await show(s.id)).body).toMatchObject({ status: 'active', clients: 1 });

    await browser.close();
    expect((await show(s.id, '&wait=ready&timeoutMs=10000')).body).toMatchObject({ status: 'ready', clients: 0 });

    const again = await chromium.connectOverCDP(s.cdpUrl);
    const pagesNow = again.contexts()[0]!.pages();
    expect(pagesNow.map((p) => p.url())).toEqual([pages.url('/')]);
    expect(await pagesNow[0]!.textContent('#h')).toBe('loaded');
    await again.close();

    const ended = await api(h.socket, 'DELETE', `/v1/browsers?id=${s.id}`);
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'user_ended', cdpUrl: null, error: null, recording: false });
    expect(ended.body.duration).toBeGreaterThan(0);
    const { screenshots, har: harFile, consoleLogs, recording } = ended.body.artifacts;
    expect(recording).toBeNull();
    expect([...screenshots, harFile, consoleLogs].every((a: { path: string }) => a.path.startsWith(`${h.home}/state/browsers/sessions/${s.id}/`))).toBe(true);

    const har = JSON.parse(readFileSync(harFile.path, 'utf8'));
    expect(har.log.version).toBe('1.2');
    const urls = har.log.entries.map((e: any) => [e.request.url, e.response.status]);
    expect(urls).toEqual(expect.arrayContaining([[pages.url('/'), 200], [pages.url('/data.json'), 200]]));
    expect(readFileSync(consoleLogs.path, 'utf8')).toMatch(/ page-1 log: page-says 42 /);
    const shot = screenshots[0];
    expect(checkPng(readFileSync(shot.path))).toEqual(viewport);
    expect(shot.bytes).toBe(readFileSync(shot.path).length);
  });

  it('passes huge CDP messages through intact, answers malformed frames, and refuses an ended session with its reason', async () => {
    const s = (await create()).body;
    const cdp = await rawCdp(s.cdpUrl);
    expect(await cdp.raw('this is not json')).toEqual({ error: { code: -32700, message: 'Message must be a JSON object.' } });
    expect(await cdp.raw('{"id":"one","method":"Browser.getVersion"}')).toMatchObject({ error: { code: -32600 } });
    expect((await cdp.call('Browser.getVersion')).result.product).toMatch(/Chrome/);

    const { targetInfos } = (await cdp.call('Target.getTargets')).result;
    const pageId = targetInfos.find((t: any) => t.type === 'page').targetId;
    const { sessionId } = (await cdp.call('Target.attachToTarget', { targetId: pageId, flatten: true })).result;
    expect((await cdp.call('Target.attachToTarget', { targetId: pageId, flatten: true }, 'BOGUS')).error.code).toBe(-32001);

    // 16 MiB of text each way is far over any single pipe or socket buffer.
    const expression = "'fbay'.repeat(4 * 1024 * 1024)";
    const big = await cdp.call('Runtime.evaluate', { expression, returnByValue: true }, sessionId);
    const value: string = big.result.result.value;
    expect(value.length).toBe(16 * 1024 * 1024);
    expect(createHash('sha256').update(value).digest('hex')).toBe(createHash('sha256').update('fbay'.repeat(4 * 1024 * 1024)).digest('hex'));

    await cdp.call('Page.enable', {}, sessionId);
    const loaded = new Promise<void>((resolve) => {
      const check = () => (cdp.loose.some((m) => m.method === 'Page.loadEventFired') ? resolve() : cdp.ws.once('message', check));
      check();
    });
    await cdp.call('Page.navigate', { url: pages.url('/noise') }, sessionId);
    await loaded;
    const shot = await cdp.call('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: 1200, height: 1800, scale: 1 },
    }, sessionId);
    const png = Buffer.from(shot.result.data, 'base64');
    expect(png.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(checkPng(png)).toEqual({ width: 1200, height: 1800 });

    const closed = once(cdp.ws, 'close');
    await api(h.socket, 'DELETE', `/v1/browsers?id=${s.id}`);
    const [code, reason] = await closed;
    expect([code, reason.toString()]).toEqual([4000, 'session ended (user_ended)']);

    const late = new WebSocket(s.cdpUrl);
    const [, res] = await once(late, 'unexpected-response');
    expect(res.statusCode).toBe(404);
    const body = JSON.parse((await res.toArray()).join(''));
    expect(body).toMatchObject({ code: 'not_found', state: 'ended', end_reason: 'user_ended' });
    expect(body.error).toContain('has ended (user_ended)');
  });

  it('refuses a cdp_url without its token', async () => {
    const s = (await create()).body;
    const url = new URL(s.cdpUrl);
    url.searchParams.set('token', 'cdp_guess');
    const ws = new WebSocket(url);
    const [, res] = await once(ws, 'unexpected-response');
    expect(res.statusCode).toBe(401);
    res.resume();
  });

  it('a browser that crashes mid-session fails with a reason, keeps what it recorded, closes its client, and frees the slot', async () => {
    await reconfigure({ plan: 'free' });
    const s = (await create({ record: ['consoleLogs'] })).body;
    const cdp = await rawCdp(s.cdpUrl);
    const closed = once(cdp.ws, 'close');
    cdp.ws.send(JSON.stringify({ id: 1, method: 'Browser.crash' }));
    const [code, reason] = await closed;
    expect(code).toBe(4002);
    expect(reason.toString()).toMatch(/^browser failed: Chromium /);
    const failed = (await show(s.id, '&wait=failed&timeoutMs=10000')).body;
    expect(failed).toMatchObject({ status: 'failed', endReason: 'failed', cdpUrl: null });
    expect(failed.error).toMatch(/^Chromium (was killed by SIG|exited with code)/);
    expect(failed.artifacts.consoleLogs).toMatchObject({ name: 'console.log', contentType: 'text/plain; charset=utf-8' });
    const next = await create();
    expect(next.body.status).toBe('ready');
  });

  it('20 creates at once on Free: one ready, 19 refused 429 with the seed’s sentence and Retry-After; then quota_exceeded', async () => {
    await reconfigure({ plan: 'free' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => create({ maxDurationMs: 120_000 })));
    const made = answers.filter((a) => a.status === 201);
    expect(made.map((a) => a.body.status)).toEqual(['ready']);
    const over = answers.filter((a) => a.status === 429);
    expect(over).toHaveLength(19);
    for (const a of over) {
      expect(a.body).toMatchObject({ code: 'concurrency_limit', liveSessions: [made[0]!.body.id], maxConcurrent: 1 });
      expect(a.body.error).toMatch(/^Concurrent browser session limit reached: account local has 1 live browser session/);
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(100);
    }
    await api(h.socket, 'DELETE', `/v1/browsers?id=${made[0]!.body.id}`);

    await reconfigure({ plan: 'free', plans: { free: { monthly_hours: 0 } } });
    const quota = await create();
    expect(quota.status).toBe(429);
    expect(quota.body).toMatchObject({ code: 'quota_exceeded', monthlyHours: 0 });
    expect(quota.body.error).toMatch(/^Monthly browser hours limit reached: /);
    expect(Number(quota.headers['retry-after'])).toBeGreaterThan(0);
    expect((await api(h.socket, 'GET', '/v1/browsers')).body.plan).toMatchObject({ plan: 'free', maxConcurrent: 1, monthlyHours: 0 });
  });

  it('queues within the plan while the host is at capacity, and starts the queued session when a slot frees', async () => {
    await reconfigure({ max_concurrent: 1 });
    const a = (await create()).body;
    const b = await create();
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ status: 'queued', queuePosition: 1, cdpUrl: null });
    expect((await api(h.socket, 'GET', '/v1/browsers')).body.host).toEqual({ maxConcurrent: 1, running: 1, queued: 1, warm: 0 });
    const usable = show(b.body.id, '&wait=usable&timeoutMs=20000');
    await api(h.socket, 'DELETE', `/v1/browsers?id=${a.id}`);
    expect((await usable).body).toMatchObject({ status: 'ready', cdpUrl: expect.stringMatching(/^ws:/) });
  });

  it('refuses bad requests with the field and value', async () => {
    expect((await create({ record: ['video'] })).body).toMatchObject({ code: 'invalid_request' });
    expect((await create({ max_duration_ms: 60_000 })).body.error).toMatch(/^max_duration_ms is now maxDurationMs/);
    expect((await create({ profile: '../etc' })).body.error).toMatch(/^profile must be a key/);
    expect((await create({ profile: 'a/b' })).status).toBe(400);
    expect((await create({ proxy: { server: 'p:1', pass: 'x' } })).body.error).toBe("Unknown field 'proxy.pass'. Allowed: server, username, password, bypass.");
    expect((await create({ fingerprint: { viewport: { width: '800', height: 600 } } })).body.error).toMatch(/^fingerprint\.viewport\.width must be a whole number/);
    expect((await api(h.socket, 'GET', '/v1/browsers?all=1')).body.browsers.filter((b: { status: string }) => b.status === 'queued')).toEqual([]);
    expect((await show('nope')).status).toBe(400);
    expect((await show('ses_aaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await show('ses_aaaaaaaaaaaaaaaaaaaaaaaa', '&wait=soon')).status).toBe(400);
  });
});
