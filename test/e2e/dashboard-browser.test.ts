// A browser session in the dashboard, in Chromium against the built daemon and a real headless Chromium: created from
// the page, driven by Playwright through the cdpUrl the page shows (and copies), the page it navigated to seen in the
// live view, ended from the page, and its artifacts downloaded.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assertBuilt, Home } from './helpers.js';
import { launchChromium, openDashboard } from './dashboard-helpers.js';
import { servePages, type PageServer } from '../daemon/browsers/page-server.js';

let browser: Browser;
let pages: PageServer;
let home: Home;
beforeAll(async () => {
  assertBuilt();
  browser = await launchChromium();
  pages = await servePages();
});
afterAll(async () => {
  await browser?.close();
  await pages?.close();
});
beforeEach(() => void (home = new Home()));
afterEach(() => home.cleanup());

/** The live view's pixel at the middle of its canvas, as [r, g, b]. */
function middlePixel(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const c = (globalThis as unknown as { document: { querySelector(s: string): any } }).document.querySelector('[data-testid="live-canvas"]');
    return [...c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data].slice(0, 3) as number[];
  });
}

const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - want[i]!) <= 12);

/** Waits for the live view's middle pixel to be near `want`; a timeout says what it showed and how many frames came. */
async function waitForMiddle(page: Page, want: number[]): Promise<void> {
  try {
    await page.waitForFunction((w) => {
      const c = (globalThis as unknown as { document: { querySelector(s: string): any } }).document.querySelector('[data-testid="live-canvas"]');
      const got = c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data;
      return w.every((v: number, i: number) => Math.abs(got[i] - v) <= 12);
    }, want);
  } catch (err) {
    const frames = await page.getByTestId('live-canvas').getAttribute('data-frames');
    throw new Error(`the live view's middle pixel is ${String(await middlePixel(page))}, not near ${String(want)}, after ${frames} frames: ${(err as Error).message}`);
  }
}

describe('a browser session in the dashboard', () => {
  it('shows the page Playwright navigated to through its cdpUrl in the live view, then ends it and downloads its artifacts', { timeout: 90_000 }, async () => {
    const { page, errors, origin } = await openDashboard(browser, home);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.goto(`${origin}/ui/#/browsers`);
    await page.getByRole('checkbox', { name: 'Video' }).check();
    await page.getByRole('checkbox', { name: 'Screenshots' }).check();
    await page.getByRole('button', { name: 'New browser' }).click();
    await page.waitForURL(/#\/browsers\/ses_/);
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    await page.locator('[data-testid="browser-status"]', { hasText: /^ready$/ }).waitFor({ timeout: 30_000 });

    const cdpUrl = await page.getByTestId('cdp-url').inputValue();
    expect(cdpUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v1/browsers/${id}/cdp\\?token=`));
    await page.getByRole('button', { name: 'Copy cdpUrl' }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(cdpUrl);

    const driven = await chromium.connectOverCDP(cdpUrl);
    try {
      const tab = driven.contexts()[0]!.pages()[0]!;
      await tab.goto(pages.url('/magenta'));
      await page.getByTestId('live-page').getByText('fbay magenta page').waitFor();
      await waitForMiddle(page, [0xd0, 0x1c, 0x8b]);
      expect(near(await middlePixel(page), [0xd0, 0x1c, 0x8b])).toBe(true);
      expect(await page.getByTestId('live-page').textContent()).toBe(`fbay magenta page — ${pages.url('/magenta')}`);
      // Watching is not a CDP client: Playwright is the only one, and it kept the session.
      await page.locator('[data-testid="browser-status"]', { hasText: /^active$/ }).waitFor();
      expect(await page.getByTestId('cdp-clients').textContent()).toBe('1');

      // A tab Playwright opens next is what the view shows (the one the session opened last).
      const second = await driven.contexts()[0]!.newPage();
      await second.goto(pages.url('/'));
      await page.getByTestId('live-page').getByText(`fbay test page — ${pages.url('/')}`).waitFor();
      await waitForMiddle(page, [0xff, 0xff, 0xff]); // the test page's white
      await second.close();
      await page.getByTestId('live-page').getByText('fbay magenta page').waitFor(); // back to the one before
      await waitForMiddle(page, [0xd0, 0x1c, 0x8b]);

      // Ended from the page while Playwright is still connected.
      await page.getByRole('button', { name: 'End', exact: true }).click();
      await page.getByRole('button', { name: 'End browser' }).click();
      await page.locator('[data-testid="browser-status"]', { hasText: /^ended$/ }).waitFor({ timeout: 30_000 });
    } finally {
      await driven.close().catch(() => undefined);
    }
    await page.getByText('This session is over: user_ended.').waitFor();
    const artifacts = page.getByTestId('artifacts');
    await artifacts.getByText('recording.mp4').waitFor();
    // The live view's own page sessions are not the recorder's pages: one screenshot, of the one tab left open.
    expect(await artifacts.locator('.artifact .mono').allTextContents()).toEqual(['screenshots/page-1.png', 'recording.mp4']);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download screenshots/page-1.png' }).click();
    const got = await download;
    expect(got.suggestedFilename()).toBe('page-1.png');
    expect(readFileSync((await got.path())!).subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
  });
});
