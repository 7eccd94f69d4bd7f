// Warm browsers through the daemon: a plain session takes one launched ahead of time and never sees the previous
// session's cookies, storage or history; browsers.warm resizes the pool on reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { servePages, type PageServer } from '../browsers/page-server.js';

let h: TestHome;
let d: DaemonProcess;
let pages: PageServer;

beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ browsers: { max_concurrent: 3, warm: 1 } });
  [d, pages] = await Promise.all([spawnDaemon(h.home), servePages()]);
});
afterAll(async () => {
  await stopDaemon(d);
  await pages.close();
  h.cleanup();
});

/** Browsers waiting in the pool, as the list says: the pool fills in the daemon's own time (a Chromium launch). */
const warmCount = async () => (await api(h.socket, 'GET', '/v1/browsers')).body.host.warm as number;

/** Chromium processes of the warm pool (their user-data-dir is `run/warm-…`). */
function warmProcesses(): number {
  const marker = `--user-data-dir=${join(h.home, 'state/browsers/run')}/warm-`;
  return readdirSync('/proc').filter((n) => {
    try {
      return /^\d+$/.test(n) && readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  }).length;
}

async function reconfigure(warm: number): Promise<void> {
  h.writeConfig({ browsers: { max_concurrent: 3, warm } });
  expect((await api(h.socket, 'POST', '/v1/config/reload', { changed: ['browsers.warm'] })).status).toBe(204);
}

describe('warm browsers', () => {
  it('a plain session takes a warm browser; the next one sees none of its cookies, storage or history', { timeout: 60_000 }, async () => {
    await expect.poll(warmCount, { timeout: 20_000 }).toBe(1);
    const a = (await api(h.socket, 'POST', '/v1/browsers', {})).body;
    expect(a).toMatchObject({ status: 'ready', warm: true });
    const pwA = await chromium.connectOverCDP(a.cdpUrl);
    const pageA = pwA.contexts()[0]!.pages()[0]!;
    await pageA.goto(pages.url('/'));
    await pageA.evaluate("document.cookie = 'a_was_here=1; max-age=86400'; localStorage.setItem('a', '1')");
    await pageA.goto(pages.url('/data.json'));
    expect(await pageA.evaluate('history.length')).toBe(3);
    await pwA.close();
    await api(h.socket, 'DELETE', `/v1/browsers?id=${a.id}`);

    await expect.poll(warmCount, { timeout: 20_000 }).toBe(1);
    const b = (await api(h.socket, 'POST', '/v1/browsers', { fingerprint: { timezoneId: 'Asia/Tokyo' } })).body;
    // A fingerprint is applied per page, so it too can take a warm browser.
    expect(b).toMatchObject({ status: 'ready', warm: true });
    const pwB = await chromium.connectOverCDP(b.cdpUrl);
    const context = pwB.contexts()[0]!;
    expect(await context.cookies()).toEqual([]);
    const pageB = context.pages()[0]!;
    expect(await pageB.evaluate('history.length')).toBe(1);
    await pageB.goto(pages.url('/'));
    expect(await pageB.evaluate('[document.cookie, localStorage.length, history.length, Intl.DateTimeFormat().resolvedOptions().timeZone]')).toEqual(['', 0, 2, 'Asia/Tokyo']);
    await pwB.close();
    await api(h.socket, 'DELETE', `/v1/browsers?id=${b.id}`);
  });

  it('a profile, a proxy or a recording starts cold, leaving the warm browser waiting', { timeout: 60_000 }, async () => {
    await expect.poll(warmCount, { timeout: 20_000 }).toBe(1);
    const s = (await api(h.socket, 'POST', '/v1/browsers', { profile: 'cold' })).body;
    expect(s).toMatchObject({ status: 'ready', warm: false });
    expect(await warmCount()).toBe(1);
    await api(h.socket, 'DELETE', `/v1/browsers?id=${s.id}`);
  });

  it('browsers.warm resizes the pool on reload, and 0 leaves no warm process', { timeout: 60_000 }, async () => {
    await reconfigure(2);
    await expect.poll(warmCount, { timeout: 30_000 }).toBe(2);
    await reconfigure(0);
    await expect.poll(warmCount, { timeout: 10_000 }).toBe(0);
    await expect.poll(warmProcesses, { timeout: 10_000 }).toBe(0);
    await reconfigure(1);
    await expect.poll(warmCount, { timeout: 20_000 }).toBe(1);
  });
});
