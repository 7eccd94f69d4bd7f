// End to end: the built `fbay` reserves a real headless Chromium, Playwright drives it through cdpUrl, `end` lists the
// artifacts and `browser artifacts` downloads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
  it('create --wait-ready → Playwright through cdpUrl → show → end → artifacts downloads every file', { timeout: 60_000 }, async () => {
    const s = await home.json<{ id: string; status: string; cdpUrl: string }>('browser', 'create', '--wait-ready', '--recording', '--record', 'har,screenshots', '--max-duration', '10m');
    expect(s.status).toBe('ready');

    const browser = await chromium.connectOverCDP(s.cdpUrl);
    const page = browser.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    expect(await page.title()).toBe('fbay test page');
    expect((await home.json<{ status: string }>('browser', 'show')).status).toBe('active');
    await browser.close();

    const status = await home.fbay('daemon', 'status');
    expect(status.stdout).toMatch(/tcp:127\.0\.0\.1:\d+ \(CDP only\)/);

    const ended = await home.fbay('browser', 'end');
    expect(ended.exitCode).toBe(0);
    expect(ended.stdout).toMatch(/^state +ended \(user_ended\)/m);
    const har = /^network\.har +(\S+)$/m.exec(ended.stdout)![1]!;
    expect(JSON.parse(readFileSync(har, 'utf8')).log.entries.some((e: { request: { url: string } }) => e.request.url === pages.url('/'))).toBe(true);
    expect(ended.stdout).toMatch(/^screenshots\/page-1\.png +\S+$/m);
    expect(ended.stdout).toMatch(/^recording\.mp4 +\S+$/m);

    const out = join(home.dir, 'downloads');
    const got = await home.fbay('browser', 'artifacts', s.id, '--out', out);
    expect(got.exitCode, got.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['network.har', 'recording.mp4', 'screenshots']);
    expect(readdirSync(join(out, 'screenshots'))).toEqual(['page-1.png']);
    expect(readFileSync(join(out, 'network.har'))).toEqual(readFileSync(har));
    const codec = execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', join(out, 'recording.mp4')], { encoding: 'utf8' });
    expect(codec.trim()).toBe('h264');

    const listed = await home.fbay('browser', 'list');
    expect(listed.stdout).toContain('No live browser sessions.');
  });
});
