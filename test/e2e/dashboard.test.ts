// The dashboard as a person uses it, in Chromium against the built daemon: log in through the printed link, start a
// session from the grid, type in the console, come back within the idle countdown, end the session.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Session } from '../../src/transport/protocol/api.js';
import { Home } from './helpers.js';
import { type PageGlobals, loginUrl, openDashboard, startFromGrid, type, waitConsole, waitForText, watch, dashboardSuite } from './dashboard-helpers.js';

let browser: Browser;
let home: Home;
dashboardSuite((b) => (browser = b), (h) => (home = h));

describe('the dashboard in a browser', () => {
  it("charts the account's usage: today's board credits and this month's browser hours", async () => {
    const { page, errors, origin } = await openDashboard(browser, home);
    await home.json('session', 'create', '--board', 'virtual');
    await home.fbay('session', 'end');
    await page.goto(`${origin}/ui/#/account`);
    await page.getByTestId('usage-chart').waitFor();
    expect(await page.getByTestId('usage-summary').textContent()).toMatch(/^1(\.\d+)? credits in 30 days · browser hours this month: 0 of 5000$/);
    expect(await page.locator('.usage-bar').count()).toBe(30);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('logs in, starts a session from the grid, echoes typing, keeps the output across a closed tab, ends the session', async () => {
    const { page, errors, origin } = await openDashboard(browser, home);
    expect(page.url()).toBe(`${origin}/ui/`); // the spent link is gone from the address bar
    expect(await page.locator('[data-board]').count()).toBe(2);

    const id = await startFromGrid(page, 'virtual-1');
    await type(page, 'help\r');
    expect(await waitForText(page, 'flood N')).toContain('help\ncommands:');

    // Closing the tab closes the console: the idle countdown starts; reopening within it shows the earlier output.
    const context = page.context();
    await page.close();
    expect((await home.fbay('session', 'wait', id, '--state', 'idle', '--timeout', '10s')).exitCode).toBe(0);
    const again = await watch(await context.newPage());
    await again.page.goto(`${origin}/ui/#/sessions/${id}`);
    await waitConsole(again.page);
    await waitForText(again.page, 'flood N       print N bytes'); // the replay comes once the console is open
    await type(again.page, 'echo back again\r');
    await waitForText(again.page, 'back again\nfbay-virtual>');

    await again.page.getByRole('button', { name: 'End Session' }).click();
    const dialog = again.page.getByRole('dialog', { name: 'End this session?' });
    await dialog.getByRole('button', { name: 'End Session' }).click();
    await again.page.getByText('This session has ended: it was ended.').waitFor();
    expect((await home.json<Session>('session', 'show', id)).end_reason).toBe('user_ended');
    expect([...errors, ...again.errors]).toEqual([]);
  });

  it("draws the boards into the login link's page itself: they show with the page's script off, and the app takes them over", async () => {
    await home.json('session', 'create', '--board-id', 'virtual-2');
    const url = await loginUrl(home);
    const bare = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await bare.goto(url);
    expect(await bare.locator('[data-board]').evaluateAll((cards) => cards.map((c) => (c as unknown as { dataset: Record<string, string> }).dataset).map((d) => `${d.board}:${d.state}`))).toEqual(['virtual-1:available', 'virtual-2:reserved']);
    await expect(bare.getByText('Your session on virtual-2').isVisible()).resolves.toBe(true);
    // Its buttons do nothing without the script: they say so by being disabled.
    expect(await bare.getByRole('button', { name: 'Start session on virtual-1' }).isDisabled()).toBe(true);
    await bare.context().close();
    const { page, errors } = await openDashboard(browser, home);
    await page.getByRole('button', { name: 'Start session on virtual-1' }).and(page.locator(':enabled')).waitFor();
    expect(await page.locator('[data-board]').count()).toBe(2);
    expect(errors).toEqual([]);
    await home.fbay('session', 'end', '--all');
    await page.context().close();
  });

  it('shows the boards grid live: another client starting a session turns the board reserved', async () => {
    const { page, errors } = await openDashboard(browser, home);
    const card = page.locator('[data-board="virtual-2"]');
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('available');
    await home.json('session', 'create', '--board-id', 'virtual-2');
    await page.locator('[data-board="virtual-2"][data-state="reserved"]').waitFor();
    // The boards and the sessions are fetched again side by side: the list of yours may come a moment later.
    await page.getByText('Your session on virtual-2').waitFor();
    expect(errors).toEqual([]);
  });

  it('is usable from the keyboard alone', async () => {
    const { page, errors } = await openDashboard(browser, home, { viewport: { width: 390, height: 844 } });
    const start = page.getByRole('button', { name: 'Start session on virtual-1' });
    for (let i = 0; i < 20 && !(await start.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/sessions\/ses_/);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).fbayConsole?.state() === 'open');
    for (let i = 0; i < 20 && !(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.classList.contains('xterm-helper-textarea'))); i++) await page.keyboard.press('Tab');
    await page.keyboard.type('echo typed\r');
    await waitForText(page, 'typed\nfbay-virtual>');
    await page.keyboard.press('Shift+Tab'); // out of the terminal, back to the console's settings
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.closest('.console-tools') !== null)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('says a spent login link is spent, and to run fbay ui again', async () => {
    const url = await loginUrl(home);
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('[data-board]').first().waitFor();
    const other = await browser.newContext();
    const reuse = await other.newPage();
    const answer = await reuse.goto(url);
    expect(answer?.status()).toBe(403);
    expect(await reuse.textContent('body')).toMatch(/This login link has been used[\s\S]*Run fbay ui again for a new link/);
    await reuse.goto(new URL('/ui/', url).href);
    await reuse.getByText('You are not logged in.').waitFor();
    await other.close();
    await page.close();
  });
});
