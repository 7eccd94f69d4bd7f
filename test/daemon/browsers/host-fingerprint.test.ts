// fingerprint: user agent, viewport, locale and time zone, seen by the first tab and by tabs opened later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openHost, type HostHarness } from './host-harness.js';
import { servePages, type PageServer } from './page-server.js';

let cold: HostHarness;
let warm: HostHarness;
let pages: PageServer;

beforeAll(async () => {
  [cold, warm, pages] = await Promise.all([openHost(), openHost({ warm: 1 }), servePages()]);
});
afterAll(async () => {
  await Promise.all([cold.close(), warm.close(), pages.close()]);
});

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) FbayTest/1.0';
const FINGERPRINT = { userAgent: UA, viewport: { width: 1024, height: 640 }, locale: 'de-DE', timezoneId: 'Asia/Tokyo' };

/** What a page's script sees, read at the page's first script (an inline one), before anything else runs. */
const SEEN = `({
  userAgent: navigator.userAgent,
  language: navigator.language,
  width: innerWidth,
  height: innerHeight,
  screen: [screen.width, screen.height],
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  intlLocale: Intl.DateTimeFormat().resolvedOptions().locale,
})`;
const WANT = {
  userAgent: UA,
  language: 'de-DE',
  width: 1024,
  height: 640,
  screen: [1024, 640],
  timeZone: 'Asia/Tokyo',
  intlLocale: 'de-DE',
};

async function firstScriptSaw(page: Page): Promise<unknown> {
  return page.evaluate('window.firstSeen');
}

describe('fingerprint', () => {
  for (const start of ['cold', 'warm'] as const) {
    it(`reaches the first tab, a tab the page opens and a tab the client opens (${start} start)`, async () => {
      const h = start === 'warm' ? warm : cold;
      await h.host.warmFilled();
      const { id, browser } = await h.launch({ fingerprint: FINGERPRINT });
      expect(browser.warm).toBe(start === 'warm');
      const pw = await h.connect(id);
      const context = pw.contexts()[0]!;
      // The page records what it saw before any other script could run, and sends the user agent header back too.
      await context.route('**/probe*', (route) =>
        route.fulfill({ contentType: 'text/html', body: `<script>window.firstSeen = ${SEEN}</script><h1>probe</h1>` }),
      );
      const first = context.pages()[0]!;
      const headers = first.waitForRequest('**/probe?first');
      await first.goto(pages.url('/probe?first'));
      expect((await headers).headers()['user-agent']).toBe(UA);
      expect(await firstScriptSaw(first)).toEqual(WANT);

      const popupOpened = context.waitForEvent('page');
      await first.evaluate(`window.open(${JSON.stringify(pages.url('/probe?popup'))})`);
      const popup = await popupOpened;
      await popup.waitForFunction('window.firstSeen !== undefined');
      expect(await firstScriptSaw(popup)).toEqual(WANT);

      const tab = await context.newPage();
      await tab.goto(pages.url('/probe?tab'));
      expect(await firstScriptSaw(tab)).toEqual(WANT);

      // A cross-site iframe runs in a renderer of its own: it gets the user agent, locale and time zone too.
      const crossSite = pages.url('/probe?frame').replace('127.0.0.1', 'localhost');
      await tab.evaluate(`new Promise((resolve) => { const f = document.createElement('iframe'); f.onload = resolve; f.src = ${JSON.stringify(crossSite)}; document.body.append(f); })`);
      const frame = tab.frames().find((f) => f.url() === crossSite)!;
      const { width, height, screen, ...inFrame } = WANT;
      expect(await frame.evaluate('window.firstSeen')).toMatchObject(inFrame);
      await browser.finish(h.host.artifactsDir(id));
      expect(h.logs).toEqual([]);
    });
  }
});
