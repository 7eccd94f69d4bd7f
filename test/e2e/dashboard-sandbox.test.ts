// A sandbox in the dashboard, in Chromium against the built daemon and a real sandbox (bubblewrap, Bun): created from
// the page, a command's output streaming into its terminal while it runs, a file uploaded, listed, downloaded back
// and deleted in its file browser.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { requireSandboxHost } from '../daemon/sandboxes/harness.js';
import { Home } from './helpers.js';
import { openDashboard, dashboardSuite } from './dashboard-helpers.js';

let browser: Browser;
let home: Home;
dashboardSuite((b) => (browser = b), (h) => (home = h), requireSandboxHost);

async function newSandbox(page: Page, origin: string): Promise<string> {
  await page.goto(`${origin}/ui/#/sandboxes`);
  await page.getByRole('combobox', { name: 'Lives for' }).selectOption({ label: '10 minutes' });
  await page.getByRole('button', { name: 'New sandbox' }).click();
  await page.waitForURL(/#\/sandboxes\/ses_/);
  await page.locator('[data-testid="sandbox-state"]', { hasText: /^active$/ }).waitFor({ timeout: 20_000 });
  return decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
}

const output = (page: Page) => page.getByTestId('exec-output').textContent();

describe('a sandbox in the dashboard', () => {
  it("runs commands in its terminal, the output streaming in while one runs, stderr and the exit code said", { timeout: 60_000 }, async () => {
    const { page, errors, origin } = await openDashboard(browser, home);
    const id = await newSandbox(page, origin);
    expect(await page.getByTestId('ttl-left').textContent()).toMatch(/^(9|10):\d\d$/);
    expect(await page.getByTestId('sandbox-url').inputValue()).toMatch(/^http:\/\/ses-[a-z0-9]{24}\.localhost:\d+\/\?fbay_token=[A-Za-z0-9_-]{32}$/);

    const command = page.getByRole('textbox', { name: 'Command' });
    await command.fill('echo hello from the sandbox; echo oops >&2; exit 3');
    await command.press('Enter');
    await page.locator('[data-testid="exec-run"][data-exit="3"]').waitFor();
    expect(await output(page)).toMatch(/\$ echo hello from the sandbox; echo oops >&2; exit 3\nhello from the sandbox\noops\n\[exit 3 · \d+ ms\]/);
    expect(await page.locator('.stderr', { hasText: 'oops' }).count()).toBe(1);

    // Streamed: the first line is on the page while the command still waits for a file the test writes afterwards.
    await command.fill('echo waiting; while [ ! -e /workspace/go ]; do sleep 0.05; done; echo done');
    await page.getByRole('button', { name: 'Run' }).click();
    const second = page.getByTestId('exec-run').nth(1);
    await second.locator('.stdout', { hasText: 'waiting' }).waitFor();
    expect(await second.textContent()).toMatch(/waiting\nrunning…/);
    await page.getByRole('button', { name: 'Stop' }).waitFor();
    expect((await home.fbay('sandbox', 'exec', id, '--', 'touch', '/workspace/go')).exitCode).toBe(0);
    await page.locator('[data-testid="exec-run"][data-exit="0"]').waitFor();
    expect(await second.textContent()).toMatch(/waiting\ndone\n\[exit 0 · \d+ ms\]/);

    // Up brings the last command back.
    await command.press('ArrowUp');
    expect(await command.inputValue()).toMatch(/^echo waiting/);
    expect(errors).toEqual([]);
  });

  it('uploads a file in the file browser, lists it, downloads it back and deletes it', { timeout: 60_000 }, async () => {
    const { page, errors, origin } = await openDashboard(browser, home);
    const id = await newSandbox(page, origin);
    const local = join(home.dir, 'notes.txt');
    writeFileSync(local, 'written on the host\nsecond line\n');
    await page.getByTestId('upload-files').setInputFiles(local);
    const row = page.locator('[data-testid="file-list"] tr[data-file="notes.txt"]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('32 bytes');
    expect(await page.getByTestId('files-note').textContent()).toBe('Uploaded notes.txt to /workspace/.');
    expect(await home.fbay('sandbox', 'exec', id, '--', 'cat', '/workspace/notes.txt')).toMatchObject({ exitCode: 0, stdout: 'written on the host\nsecond line' });

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download notes.txt' }).click();
    const got = await download;
    expect(got.suggestedFilename()).toBe('notes.txt');
    expect(readFileSync((await got.path())!, 'utf8')).toBe('written on the host\nsecond line\n');

    // A folder made by a command shows after Refresh, and opens.
    expect((await home.fbay('sandbox', 'exec', id, '--', 'mkdir', '-p', '/workspace/sub/deeper')).exitCode).toBe(0);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'sub/' }).click();
    await page.locator('tr[data-file="deeper"]').waitFor();
    await page.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: '/workspace' }).click();

    await row.getByRole('button', { name: 'Delete notes.txt' }).click();
    await row.getByRole('button', { name: 'Really delete notes.txt' }).click();
    await page.getByTestId('files-note').getByText('Deleted /workspace/notes.txt.').waitFor();
    await row.waitFor({ state: 'detached' }); // the listing is read again after the note
    expect(await row.count()).toBe(0);
    expect((await home.fbay('sandbox', 'exec', id, '--', 'test', '-e', '/workspace/notes.txt')).exitCode).toBe(1);
    expect(errors).toEqual([]);
  });
});
