// The Flash panel in Chromium against the built daemon: an app flashed onto a virtual board to 100% with the console
// open, which then shows the new firmware's boot log; a file that is not an ESP image and a 100 MiB one refused with
// the daemon's own sentences, the big one without a byte of it sent.
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildAppImage } from '../../src/daemon/flash/image-builder.js';
import { Home } from './helpers.js';
import { openDashboard, startFromGrid, terminalText, waitForText, dashboardSuite } from './dashboard-helpers.js';

let browser: Browser;
let home: Home;
dashboardSuite((b) => (browser = b), (h) => (home = h));

function file(name: string, data: Buffer): string {
  const path = join(home.dir, name);
  writeFileSync(path, data);
  return path;
}

async function pick(page: Page, ...paths: string[]): Promise<void> {
  await page.getByTestId('flash-files').setInputFiles(paths);
}

describe('the Flash panel', () => {
  it('flashes an app to 100% with the console open, which then shows the new version booting', { timeout: 60_000 }, async () => {
    const { page, errors } = await openDashboard(browser, home);
    const id = await startFromGrid(page, 'virtual-1');
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await pick(page, file('dash-app.bin', buildAppImage({ projectName: 'dash-app', version: '7.8.9', size: 256 * 1024, seed: 5 })));
    expect(await page.getByRole('textbox', { name: 'Offset of dash-app.bin' }).inputValue()).toBe(''); // by kind, as `fbay flash`
    await page.getByRole('button', { name: 'Flash 1 image' }).click();

    const done = page.locator('[data-testid="flash-progress"][data-state="succeeded"]');
    await done.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('flash-percent').textContent()).toBe('100%');
    expect(await page.getByTestId('flash-status').textContent()).toMatch(/^Flashed dash-app\.bin \(app: dash-app 7\.8\.9 \(ESP-IDF v[\d.]+\)\) at 0x10000 in [\d.]+ s, verified; the board was reset\.$/);
    expect(await page.getByTestId('flash-log').textContent()).toContain("Hash of 'dash-app.bin' verified.");

    // The same console, never closed: the flash markers, then the new firmware's boot log.
    const text = await waitForText(page, 'App version:      7.8.9', 15_000);
    expect(text).toMatch(/--- fbay: flashing dash-app\.bin at 0x10000 \(256 KiB\) ---[\s\S]*--- fbay: flashed 1 image[^\n]*---\nESP-ROM:esp32s3[\s\S]*Project name:     dash-app/);
    expect(await page.getByTestId('line-state').textContent()).toBe('connected');
    const job = await home.json<{ state: string; images: Array<{ offset: number }> }>('flash', '--status', id);
    expect(job).toMatchObject({ state: 'succeeded', images: [{ offset: 0x10000 }] });
    expect(errors).toEqual([]);
  });

  it("refuses a file that is not an ESP image, and a 100 MiB one before a byte of it is sent, in the daemon's words", { timeout: 60_000 }, async () => {
    const { page, errors } = await openDashboard(browser, home);
    const id = await startFromGrid(page, 'virtual-1');
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await pick(page, file('notes.bin', Buffer.from('these are notes, not firmware\n')));
    await page.getByRole('button', { name: 'Flash 1 image' }).click();
    const refusal = page.getByTestId('flash-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      "'notes.bin' is not an app, bootloader, merged image or partition table, so fbay cannot tell where it goes: give its offset, e.g. `fbay flash 0x9000 notes.bin`.",
    );
    await page.getByRole('button', { name: 'Remove notes.bin' }).click();

    const huge = join(home.dir, 'huge.bin');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 100 * 1024 * 1024); // sparse: 100 MiB on paper
    closeSync(fd);
    const sent: number[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/flash')) sent.push(r.postDataBuffer()?.length ?? 0);
    });
    await pick(page, huge);
    await page.getByText("These files do not fit the board's flash").waitFor();
    await page.getByRole('button', { name: 'Flash 1 image' }).click();
    await page.getByTestId('flash-refusal').getByText("'huge.bin': That image is 100 MiB").waitFor();
    expect(await refusal.textContent()).toBe(
      "'huge.bin': That image is 100 MiB, larger than the board's 8 MiB flash, so it was refused before it was read. Check that it is the right file (an app .bin from idf.py build, or a merged image).",
    );
    expect(sent).toEqual([0]); // the description went, the file did not

    expect((await home.fbay('flash', '--status', id)).exitCode).toBe(4); // no job ever started
    expect(await terminalText(page)).not.toContain('--- fbay: flashing');
    // The daemon's refusals are answers, not page errors; the browser logs a failed request for each.
    expect(errors.filter((e) => !/status of 4(00|13)/.test(e))).toEqual([]);
  });
});
