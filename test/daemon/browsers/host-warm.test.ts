// Warm start on the real Chromium: a session that asks for nothing special takes a browser launched ahead of time,
// which never carries anything from one session into the next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { openHost, pidsNaming, type HostHarness } from './host-harness.js';
import { servePages, type PageServer } from './page-server.js';

let h: HostHarness;
let pages: PageServer;

beforeAll(async () => {
  [h, pages] = await Promise.all([openHost({ warm: 1 }), servePages()]);
});
afterAll(async () => {
  await h.close();
  await pages.close();
});

describe('warm start', () => {
  it('gives the next session a fresh browser: no cookies, storage or history of the one before', async () => {
    await h.host.warmFilled();
    const a = await h.launch({ record: ['consoleLogs'] });
    expect(a.browser.warm).toBe(true);
    const pwA = await h.connect(a.id);
    const pageA = pwA.contexts()[0]!.pages()[0]!;
    await pageA.goto(pages.url('/'));
    await pageA.evaluate("document.cookie = 'a_was_here=1; max-age=86400'; localStorage.setItem('a', '1')");
    await pageA.goto(pages.url('/data.json'));
    expect(await pageA.evaluate('history.length')).toBe(3);
    await pwA.close();
    await a.browser.finish(h.host.artifactsDir(a.id));

    await h.host.warmFilled();
    const b = await h.launch();
    expect(b.browser.warm).toBe(true);
    expect(b.browser.pid).not.toBe(a.browser.pid);
    const pwB = await h.connect(b.id);
    const context = pwB.contexts()[0]!;
    expect(await context.cookies()).toEqual([]);
    const pageB = context.pages()[0]!;
    expect(await pageB.evaluate('history.length')).toBe(1);
    await pageB.goto(pages.url('/'));
    expect(await pageB.evaluate('[document.cookie, localStorage.length, history.length]')).toEqual(['', 0, 2]);
    await pwB.close();
    await b.browser.finish(h.host.artifactsDir(b.id));
    expect(pidsNaming(`${h.dirs.run}/${b.id}`)).toEqual([]);
  });

  it('hands each session a replacement with a user-data-dir of its own, as Chromium itself reports it, and removes the last', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await h.host.warmFilled();
      const s = await h.launch();
      expect(s.browser.warm).toBe(true);
      const pw = await h.connect(s.id);
      const page = pw.contexts()[0]!.pages()[0]!;
      await page.goto('chrome://version');
      const dir = (await page.locator('#profile_path').textContent())!.trim();
      await pw.close();
      await s.browser.finish(h.host.artifactsDir(s.id));
      expect(dir.startsWith(h.dirs.run)).toBe(true);
      expect(seen.some((d) => dir.startsWith(d) || d.startsWith(dir))).toBe(false);
      seen.push(dir);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('starts cold for a profile, a proxy or a recording, leaving the warm browser waiting', async () => {
    await h.host.warmFilled();
    for (const spec of [{ profile: { key: 'p1' } }, { proxy: { server: 'http://127.0.0.1:9' } }, { recording: true }]) {
      const { id, browser } = await h.launch(spec);
      expect(browser.warm).toBe(false);
      expect(h.host.warmCount).toBe(1);
      await browser.finish(h.host.artifactsDir(id));
    }
  });

  it('resizes with browsers.warm, and leaves no process behind when it shrinks or closes', async () => {
    await h.host.setWarm(2);
    await h.host.warmFilled();
    expect(h.host.warmCount).toBe(2);
    expect(pidsNaming(`${h.dirs.run}/warm-`).length).toBeGreaterThan(0);
    await h.host.setWarm(0);
    expect(h.host.warmCount).toBe(0);
    expect(pidsNaming(`${h.dirs.run}/warm-`)).toEqual([]);
    await h.host.setWarm(1);
    await h.host.warmFilled();
    await h.host.close();
    expect(pidsNaming(`${h.dirs.run}/warm-`)).toEqual([]);
    // Their pid records and user-data-dirs went with them.
    const left = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('warm-')) : []);
    expect([...left(h.dirs.live), ...left(h.dirs.run)]).toEqual([]);
  });
});
