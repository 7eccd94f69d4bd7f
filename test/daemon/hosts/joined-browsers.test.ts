// Browsers on a joined host, real processes: a coordinator that cannot run Chromium itself places a user's browser
// on the host that joined it; Playwright drives it through the coordinator's CDP URL, over the host's tunnel; the
// coordinator's plan limits and queues it; its artifacts are downloaded through the coordinator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { coordinated, joinedAll, type Coordinated } from '../../helpers/joined-hosts.js';
import { servePages, type PageServer } from '../browsers/page-server.js';

let t: Coordinated;
let pages: PageServer;

beforeAll(async () => {
  pages = await servePages();
  t = await coordinated({
    // No Chromium on the coordinator: every browser it gives out must run on a joined host.
    // A short grace: the test of a host away past it takes seconds, not the default 30.
    coordinator: { browsers: { executable: '/nonexistent/chromium', warm: 0 }, host_grace_s: 3 },
    hosts: [{ name: 'lab1', config: { virtual_boards: 1, browsers: { warm: 0, max_concurrent: 1 } } }],
  });
  await joinedAll(t);
}, 60_000);
// A test that fails midway must not leave the host's one slot taken, or the network cut, for the tests after it.
afterEach(async () => {
  for (const h of t.hosts) h.proxy.restore();
  const live = (await t.tcp('GET', '/v1/browsers')).body.browsers as Array<{ id: string }>;
  for (const b of live) await t.tcp('DELETE', `/v1/browsers?id=${b.id}`);
});
afterAll(async () => {
  await t?.close();
  await pages?.close();
});

/** The last state the host's journal has for one of its sessions (the journal is written a tick after the change: poll it). */
function hostState(id: string): string {
  let state = 'unknown';
  for (const line of readFileSync(join(t.hosts[0]!.home.home, 'state', 'sessions.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    for (const r of JSON.parse(line) as Array<{ s?: { id: string; state: string } }>) if (r.s?.id === id) state = r.s.state;
  }
  return state;
}

function download(path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: t.coord.port, path, headers: { authorization: `Bearer ${t.userKey}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('browsers on a joined host', () => {
  it('created through the coordinator, run on the host, driven over the tunnel, queued by its slots, artifacts downloaded', { timeout: 90_000 }, async () => {
    const created = await t.tcp('POST', '/v1/browsers', { record: ['har'], metadata: { job: 'joined-1' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ kind: 'browser', status: 'ready', account: 'alice', metadata: { job: 'joined-1' } });
    expect(s.cdpUrl).toBe(`ws://127.0.0.1:${t.coord.port}/v1/browsers/${s.id}/cdp`);
    // The host runs it for its coordinator, under the coordinator's id as its Idempotency-Key.
    const hostId = t.hosts[0]!.hostSession(s.id);
    expect(hostId).toMatch(/^ses_/);
    expect(hostId).not.toBe(s.id);

    const browser = await chromium.connectOverCDP(s.cdpUrl, { headers: { authorization: `Bearer ${t.userKey}` } });
    const page = browser.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    await page.waitForFunction("document.getElementById('h')?.textContent === 'loaded'");
    expect(await page.evaluate('6 * 7')).toBe(42);
    expect((await t.tcp('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'active', clients: 1 });
    await browser.close();

    // The host's one slot is taken: the next create waits in the coordinator's queue, and gets the slot once it frees.
    const second = await t.tcp('POST', '/v1/browsers', {});
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.status).toBe('queued');

    const ended = await t.tcp('DELETE', `/v1/browsers?id=${s.id}`);
    expect(ended.body).toMatchObject({ id: s.id, status: 'ended', endReason: 'user_ended' });
    expect(ended.body.artifacts.har).toMatchObject({ name: 'network.har' });
    const har = await download(`/v1/browsers/${s.id}/artifacts/network.har`);
    expect(har.status).toBe(200);
    expect(JSON.parse(har.body.toString('utf8')).log.entries.some((e: { request: { url: string } }) => e.request.url === pages.url('/'))).toBe(true);

    const ready = await t.tcp('GET', `/v1/browsers?id=${second.body.id}&wait=usable&timeoutMs=20000`);
    expect(ready.body).toMatchObject({ id: second.body.id, status: 'ready' });
    const pw = await chromium.connectOverCDP(ready.body.cdpUrl, { headers: { authorization: `Bearer ${t.userKey}` } });
    expect(await pw.contexts()[0]!.pages()[0]!.evaluate('1 + 1')).toBe(2);
    await pw.close();
    expect((await t.tcp('DELETE', `/v1/browsers?id=${second.body.id}`)).body).toMatchObject({ status: 'ended', endReason: 'user_ended' });
  });

  it("the coordinator's plan limits browsers on joined hosts as it limits its own", { timeout: 30_000 }, async () => {
    const key = (await t.coord.api('POST', '/v1/keys', { name: 'bob', tier: 'free' })).body.key as string;
    const first = await t.tcp('POST', '/v1/browsers', {}, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const over = await t.tcp('POST', '/v1/browsers', {}, key);
    expect(over.status).toBe(429);
    await t.tcp('DELETE', `/v1/browsers?id=${first.body.id}`, undefined, key);
  });

  it("a cut of the host's network closes CDP clients with 4003; once the host is back, a reconnect finds the same page", { timeout: 90_000 }, async () => {
    const auth = { authorization: `Bearer ${t.userKey}` };
    const s = (await t.tcp('POST', '/v1/browsers', {})).body;
    expect(s.status).toBe('ready');
    const pw = await chromium.connectOverCDP(s.cdpUrl, { headers: auth });
    await pw.contexts()[0]!.pages()[0]!.goto(pages.url('/'));
    await pw.close();

    const raw = new WebSocket(s.cdpUrl, { headers: auth });
    await once(raw, 'open');
    const closed = once(raw, 'close');
    t.hosts[0]!.proxy.cut();
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(4003);
    expect(reason.toString()).toMatch(/link to lab1 dropped: reconnect/);
    expect((await t.tcp('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'ready', link: { state: 'reconnecting' } });
    // A client that connects while the host is away waits for the link.
    const reconnecting = chromium.connectOverCDP(s.cdpUrl, { headers: auth });
    t.hosts[0]!.proxy.restore();
    const back = await reconnecting;
    expect(back.contexts()[0]!.pages().map((p) => p.url())).toEqual([pages.url('/')]);
    expect(await back.contexts()[0]!.pages()[0]!.textContent('#h')).toBe('loaded');
    expect((await t.tcp('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'active', link: { state: 'open' } });
    await back.close();
    expect((await t.tcp('DELETE', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'ended', endReason: 'user_ended' });
  });

  it("a coordinator's restart ends its browsers on the host too; after a kill -9, the host's next join ends them there", { timeout: 90_000 }, async () => {
    const s = (await t.tcp('POST', '/v1/browsers', {})).body;
    expect(s.status).toBe('ready');
    const hostId = t.hosts[0]!.hostSession(s.id);
    await expect.poll(() => hostState(hostId), { timeout: 10_000 }).toBe('active'); // the coordinator's link is its client
    await t.restartCoordinator();
    expect((await t.tcp('GET', `/v1/browsers?id=${s.id}`)).body).toMatchObject({ status: 'ended', endReason: 'host_shutdown' });
    await expect.poll(() => hostState(hostId), { timeout: 10_000 }).toBe('ended');

    await joinedAll(t, ['lab1']);
    const killed = (await t.tcp('POST', '/v1/browsers', {})).body;
    expect(killed).toMatchObject({ status: 'ready', host: 'lab1' });
    const killedOnHost = t.hosts[0]!.hostSession(killed.id);
    await t.restartCoordinator('kill');
    // The coordinator died with its link: its session is over (a mirror does not outlive its daemon)…
    expect((await t.tcp('GET', `/v1/browsers?id=${killed.id}`)).body).toMatchObject({ status: 'ended', endReason: 'upstream_lost' });
    // …and once the host joins again, its browser there is ended too, which frees the host's one slot.
    await joinedAll(t, ['lab1']); // in the new coordinator's log
    await expect.poll(() => hostState(killedOnHost), { timeout: 30_000 }).toBe('ended');
    const next = (await t.tcp('POST', '/v1/browsers', {})).body;
    expect(next).toMatchObject({ status: 'ready', host: 'lab1' });
    expect((await t.tcp('DELETE', `/v1/browsers?id=${next.id}`)).body).toMatchObject({ status: 'ended' });
  });

  it("a host away past its grace ends its browsers with host_lost; back, it ends them there too", { timeout: 60_000 }, async () => {
    const s = (await t.tcp('POST', '/v1/browsers', {})).body;
    expect(s.status).toBe('ready');
    const hostId = t.hosts[0]!.hostSession(s.id);
    t.hosts[0]!.proxy.cut();
    const ended = (await t.tcp('GET', `/v1/browsers?id=${s.id}&wait=ended&timeoutMs=20000`)).body;
    expect(ended).toMatchObject({ status: 'ended', endReason: 'host_lost' });
    expect(hostState(hostId)).toBe('ready'); // the host never heard of it: its browser still runs
    t.hosts[0]!.proxy.restore();
    await expect.poll(() => hostState(hostId), { timeout: 30_000 }).toBe('ended');
  });

  it('a browser ended while its host is still creating it is ended on the host too', { timeout: 60_000 }, async () => {
    const creating = t.tcp('POST', '/v1/browsers', { metadata: { job: 'short-lived' } });
    let id = '';
    await expect
      .poll(async () => {
        const live = (await t.tcp('GET', '/v1/browsers')).body.browsers as Array<{ id: string; status: string; metadata: Record<string, string> }>;
        id = live.find((b) => b.metadata.job === 'short-lived' && b.status === 'assigning')?.id ?? '';
        return id;
      })
      .not.toBe('');
    expect((await t.tcp('DELETE', `/v1/browsers?id=${id}`)).body).toMatchObject({ status: 'ended', endReason: 'user_ended' });
    await creating;
    const hostId = t.hosts[0]!.hostSession(id);
    await expect.poll(() => hostState(hostId), { timeout: 20_000 }).toBe('ended');
  });
});
