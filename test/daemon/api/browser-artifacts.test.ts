// GET /v1/browsers/{id}/artifacts/{name} on a real daemon: each listed file streamed with its content type, nothing
// else (404, no traversal), not while live (409); and DELETE while assigning and while ending.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { api, apiRaw, makeHome, nextEvent, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { servePages, type PageServer } from '../browsers/page-server.js';

let h: TestHome;
let d: DaemonProcess;
let pages: PageServer;

beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ browsers: { max_concurrent: 3, warm: 0 } });
  [d, pages] = await Promise.all([spawnDaemon(h.home), servePages()]);
});
afterAll(async () => {
  await stopDaemon(d);
  await pages.close();
  h.cleanup();
});

const create = (body: unknown) => api(h.socket, 'POST', '/v1/browsers', body);
const del = (id: string) => api(h.socket, 'DELETE', `/v1/browsers?id=${id}`);

describe('artifact downloads', () => {
  it('streams every listed file with its content type; refuses other names, traversal and a live session', { timeout: 60_000 }, async () => {
    const s = (await create({ recording: true, record: ['screenshots', 'har', 'consoleLogs'] })).body;
    const live = await api(h.socket, 'GET', `/v1/browsers/${s.id}/artifacts/network.har`);
    expect(live.status).toBe(409);
    expect(live.body.error).toContain('its artifacts are written as it ends');
    const browser = await chromium.connectOverCDP(s.cdpUrl);
    await browser.contexts()[0]!.pages()[0]!.goto(pages.url('/'));
    await browser.close();
    const ended = (await del(s.id)).body;
    const { screenshots, har, recording, consoleLogs } = ended.artifacts;
    const files = [...screenshots, har, recording, consoleLogs];
    expect(files.map((a: { name: string; contentType: string }) => [a.name, a.contentType])).toEqual([
      ['screenshots/page-1.png', 'image/png'],
      ['network.har', 'application/json'],
      ['recording.mp4', 'video/mp4'],
      ['console.log', 'text/plain; charset=utf-8'],
    ]);
    for (const a of files) {
      const got = await apiRaw(h.socket, a.url);
      expect([got.status, got.type, got.body.length]).toEqual([200, a.contentType, a.bytes]);
      expect(got.body).toEqual(readFileSync(a.path));
    }
    // The slash of a screenshot's name may come encoded.
    expect((await apiRaw(h.socket, `/v1/browsers/${s.id}/artifacts/screenshots%2Fpage-1.png`)).status).toBe(200);
    for (const name of ['nope.txt', 'artifacts.json', '..%2F..%2Fsessions.jsonl', '..%2F..%2F..%2Fconfig.json', 'screenshots/..%2F..%2F..%2Fconfig.json', '%2Fetc%2Fpasswd', 'screenshots/page-9.png']) {
      const r = await api(h.socket, 'GET', `/v1/browsers/${s.id}/artifacts/${name}`);
      expect([name, r.status, r.body.code]).toEqual([name, 404, 'not_found']);
    }
    expect((await api(h.socket, 'GET', '/v1/browsers/ses_aaaaaaaaaaaaaaaaaaaaaaaa/artifacts/network.har')).status).toBe(404);
    expect((await api(h.socket, 'GET', '/v1/browsers/nope/artifacts/network.har')).status).toBe(400);
  });

  it('a session that recorded nothing has nothing to download', async () => {
    const s = (await create({})).body;
    const ended = (await del(s.id)).body;
    expect(ended.artifacts).toEqual({ screenshots: [], har: null, recording: null, consoleLogs: null });
    expect((await api(h.socket, 'GET', `/v1/browsers/${s.id}/artifacts/recording.mp4`)).status).toBe(404);
  });
});

describe('DELETE while the session is between states', () => {
  it('while assigning: it ends without ever being ready, and the create answers with that', { timeout: 60_000 }, async () => {
    const assigning = nextEvent(h.socket, (type, e) => type === 'state' && e.session.kind === 'browser' && e.session.status === 'assigning');
    await assigning.ready;
    const creating = create({ profile: 'slow-start' });
    const id = (await assigning.event).data.session.id;
    const ended = await del(id);
    expect(ended.body).toMatchObject({ id, status: 'ended', endReason: 'user_ended', readyAt: null, duration: 0, cdpUrl: null });
    expect((await creating).body).toMatchObject({ id, status: 'ended' });
    // The profile is free again.
    const next = (await create({ profile: 'slow-start' })).body;
    expect(next.status).toBe('ready');
    await del(next.id);
  });

  it('while ending: the second DELETE waits for the same end and gets the same finished session', { timeout: 60_000 }, async () => {
    const s = (await create({ recording: true })).body;
    // A page that painted: a session whose page never drew a frame has no video to finalize.
    const browser = await chromium.connectOverCDP(s.cdpUrl);
    const page = browser.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    // Its frame reaches the recorder through the screencast a little after the paint: a second of the page's own
    // time lets it (under load, ending at once left some runs with no frame, hence no video).
    const painted = await page.evaluate<number>('performance.now()');
    await page.waitForFunction(`performance.now() > ${painted + 1000}`);
    await browser.close();
    const ending = nextEvent(h.socket, (type, e) => type === 'state' && e.session.id === s.id && e.session.status === 'ending');
    const endedEvent = nextEvent(h.socket, (type, e) => type === 'ended' && e.session_id === s.id);
    await Promise.all([ending.ready, endedEvent.ready]);
    const first = del(s.id);
    await ending.event;
    const second = await del(s.id);
    const firstDone = await first;
    expect(second.body).toEqual(firstDone.body);
    expect(second.body).toMatchObject({ status: 'ended', endReason: 'user_ended', artifacts: { recording: { name: 'recording.mp4' } } });
    expect((await apiRaw(h.socket, second.body.artifacts.recording.url)).status).toBe(200);
    // The events stream carries the same object the API answers with.
    const { data } = await endedEvent.event;
    expect(data).toMatchObject({ reason: 'user_ended', session: { ...second.body, clients: 0 } });
  });
});
