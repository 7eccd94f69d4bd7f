// The seed's session configuration through the daemon's API, with playwright-core and Debian's Chromium: a recording
// ffprobe reads back, ffmpeg missing, a profile carrying a cookie from one session to the next, a fingerprint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chromium, type Page } from 'playwright-core';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { servePages, type PageServer } from '../browsers/page-server.js';

let h: TestHome;
let d: DaemonProcess;
let pages: PageServer;

beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ browsers: { max_concurrent: 4, warm: 0 } });
  [d, pages] = await Promise.all([spawnDaemon(h.home), servePages()]);
});
afterAll(async () => {
  await stopDaemon(d);
  await pages.close();
  h.cleanup();
});

const create = (body: unknown) => api(h.socket, 'POST', '/v1/browsers', body);
const end = (id: string) => api(h.socket, 'DELETE', `/v1/browsers?id=${id}`);

async function firstPage(cdpUrl: string) {
  const browser = await chromium.connectOverCDP(cdpUrl);
  return { browser, page: browser.contexts()[0]!.pages()[0]! };
}

/** Lets `ms` of session time pass, measured by the page's own clock: a video needs a duration to be checked against. */
async function elapse(page: Page, ms: number): Promise<void> {
  const now = await page.evaluate<number>('performance.now()');
  await page.waitForFunction(`performance.now() > ${now + ms}`);
}

describe('recording: true', () => {
  it('gives an MP4 that ffprobe reads back with a duration near the session’s', { timeout: 60_000 }, async () => {
    const created = await create({ recording: true, fingerprint: { viewport: { width: 640, height: 360 } } });
    expect(created.body).toMatchObject({ status: 'ready', recording: true, warm: false });
    const { browser, page } = await firstPage(created.body.cdpUrl);
    await page.goto(pages.url('/'));
    await elapse(page, 2000);
    await browser.close();
    const ended = (await end(created.body.id)).body;
    const recording = ended.artifacts.recording;
    expect(recording).toMatchObject({ name: 'recording.mp4', contentType: 'video/mp4', url: `/v1/browsers/${created.body.id}/artifacts/recording.mp4` });
    const probe = JSON.parse(
      execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=width,height,codec_name', '-of', 'json', recording.path], { encoding: 'utf8' }),
    );
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    // The video runs from ready until ending began; the session's duration also holds the ending itself.
    const video = Number(probe.format.duration);
    expect(video).toBeGreaterThan(2);
    expect(ended.duration - video).toBeGreaterThanOrEqual(-0.3);
    expect(ended.duration - video).toBeLessThan(1.5);
  });

  it('with ffmpeg missing, a recording is refused at create naming the package; nothing is created', async () => {
    h.writeConfig({ browsers: { max_concurrent: 4, warm: 0, ffmpeg: '/nonexistent/ffmpeg' } });
    await api(h.socket, 'POST', '/v1/config/reload', { changed: ['browsers'] });
    const refused = await create({ recording: true });
    h.writeConfig({ browsers: { max_concurrent: 4, warm: 0 } });
    await api(h.socket, 'POST', '/v1/config/reload', { changed: ['browsers'] });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toContain('install the `ffmpeg` package');
    expect(refused.body.next).toBe('Or create the session without `recording`.');
    expect((await api(h.socket, 'GET', '/v1/browsers')).body.browsers).toEqual([]);
  });
});

describe('profile', () => {
  it('carries a cookie and local storage from one session to the next; a second live holder gets 409', { timeout: 60_000 }, async () => {
    const first = (await create({ profile: 'shop' })).body;
    expect(first).toMatchObject({ status: 'ready', profile: 'shop', warm: false });
    const conflict = await create({ profile: 'shop' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'session_conflict', holder: first.id });
    expect(conflict.body.error).toMatch(/^The profile shop is in use by the live browser session ses_/);
    const a = await firstPage(first.cdpUrl);
    await a.page.goto(pages.url('/'));
    await a.page.evaluate("document.cookie = 'login=alice; path=/'; localStorage.setItem('cart', '3 items')");
    await a.browser.close();
    expect((await end(first.id)).body.status).toBe('ended');

    const second = (await create({ profile: 'shop' })).body;
    const b = await firstPage(second.cdpUrl);
    await b.page.goto(pages.url('/'));
    expect(await b.page.evaluate("[document.cookie, localStorage.getItem('cart')]")).toEqual(['login=alice', '3 items']);
    await b.browser.close();
    await end(second.id);

    // Without the profile, or with another key, none of it.
    const other = (await create({ profile: 'other' })).body;
    const c = await firstPage(other.cdpUrl);
    await c.page.goto(pages.url('/'));
    expect(await c.page.evaluate("[document.cookie, localStorage.getItem('cart')]")).toEqual(['', null]);
    await c.browser.close();
    await end(other.id);
  });

  it('refuses a key with / or .. before anything is created', async () => {
    for (const profile of ['../shop', 'a/b', 'a..b', '..']) {
      const r = await create({ profile });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^profile must be a key of 1 to 64 letters, digits, '-', '_' or '\.', starting with a letter or digit \(no '\/' or '\.\.'\)/);
    }
    expect((await api(h.socket, 'GET', '/v1/browsers?all=1')).body.browsers.filter((b: { profile: string }) => b.profile?.includes('/'))).toEqual([]);
  });
});

describe('fingerprint', () => {
  it('is what every page sees: navigator.userAgent, innerWidth, the Intl time zone, the language', { timeout: 60_000 }, async () => {
    const fingerprint = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) fbay-test/1.0', viewport: { width: 1024, height: 640 }, locale: 'de-DE', timezoneId: 'Asia/Tokyo' };
    const s = (await create({ fingerprint })).body;
    expect(s.fingerprint).toEqual(fingerprint);
    const { browser, page } = await firstPage(s.cdpUrl);
    await page.goto(pages.url('/'));
    const seen = "[navigator.userAgent, innerWidth, innerHeight, Intl.DateTimeFormat().resolvedOptions().timeZone, navigator.language]";
    expect(await page.evaluate(seen)).toEqual([fingerprint.userAgent, 1024, 640, 'Asia/Tokyo', 'de-DE']);
    const tab = await browser.contexts()[0]!.newPage();
    await tab.goto(pages.url('/'));
    expect(await tab.evaluate(seen)).toEqual([fingerprint.userAgent, 1024, 640, 'Asia/Tokyo', 'de-DE']);
    await browser.close();
    await end(s.id);
  });
});
