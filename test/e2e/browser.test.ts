// End to end: the built `fbay` reserves a real headless Chromium, Playwright drives it through cdp_url, `end` lists artifacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { assertBuilt, Home } from './helpers.js';
import { servePages, type PageServer } from '../daemon/browsers/page-server.js';

let home: Home;
let pages: PageServer;
beforeAll(async () => {
  assertBuilt();
  home = new Home();
  pages = await servePages();
});
afterAll(async () => {
  await home.cleanup();
  await pages.close();
});

describe('fbay browser', () => {
  it('create --wait-ready → Playwright through cdp_url → show → end prints the artifacts', async () => {
    const s = await home.json<{ id: string; state: string; cdp_url: string }>('browser', 'create', '--wait-ready', '--record', 'har,screenshots', '--max-duration', '10m');
    expect(s.state).toBe('ready');

    const browser = await chromium.connectOverCDP(s.cdp_url);
    const page = browser.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    expect(await page.title()).toBe('fbay test page');
    expect((await home.json<{ state: string }>('browser', 'show')).state).toBe('active');
    await browser.close();

    const status = await home.fbay('daemon', 'status');
    expect(status.stdout).toMatch(/tcp:127\.0\.0\.1:\d+ \(CDP only\)/);

    const ended = await home.fbay('browser', 'end');
    expect(ended.exitCode).toBe(0);
    expect(ended.stdout).toMatch(/^state +ended \(user_ended\)/m);
    const har = /^har +(\S+)$/m.exec(ended.stdout)![1]!;
    const shot = /^screenshots +(\S+)$/m.exec(ended.stdout)![1]!;
    expect(JSON.parse(readFileSync(har, 'utf8')).log.entries.some((e: { request: { url: string } }) => e.request.url === pages.url('/'))).toBe(true);
    expect(existsSync(shot)).toBe(true);

    const listed = await home.fbay('browser', 'list');
    expect(listed.stdout).toContain('No live browser sessions.');
  });
});
