// The dashboard when things go away under it: a board unplugged while its console is open, and the daemon restarted
// under an open page (it says so, reconnects by itself, and the console goes on from where it was).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Health } from '../../src/transport/protocol/api.js';
import { Home } from './helpers.js';
import { openDashboard, startFromGrid, terminalText, type, waitConsole, waitForText, dashboardSuite } from './dashboard-helpers.js';

let browser: Browser;
let home: Home;
dashboardSuite((b) => (browser = b), (h) => (home = h));

describe('the dashboard when things go away', () => {
  it('shows a board unplugged while its console is open, then why the session ended', async () => {
    writeFileSync(join(home.dir, 'config.json'), JSON.stringify({ board_grace_s: 2 }));
    const { page } = await openDashboard(browser, home);
    await startFromGrid(page, 'virtual-2');
    await type(page, 'info\r');
    await waitForText(page, 'board: virtual-2');
    expect((await home.fbay('config', 'set', 'virtual_boards', '1')).exitCode).toBe(0); // virtual-2 is unplugged
    await page.getByText(/The board is disconnected \(since .*\)\. It ends \(board_lost\) unless the board is back by/).waitFor();
    await page.getByText('This session has ended: the board was unplugged and did not come back in time.').waitFor();
    expect(await page.getByTestId('session-state').textContent()).toBe('ended');
    expect(await terminalText(page)).toContain('board: virtual-2'); // what it printed stays on screen
    await page.context().close();
  });

  it('says the daemon restarted under an open page, reconnects, and the console goes on', async () => {
    const { page } = await openDashboard(browser, home);
    await startFromGrid(page, 'virtual-1');
    await type(page, 'echo before the restart\r');
    await waitForText(page, 'before the restart\nfbay-virtual>');
    const before = await home.json<Health>('daemon', 'status');
    expect((await home.fbay('daemon', 'restart')).exitCode).toBe(0);
    await page.getByText('The fbay daemon restarted; the dashboard reconnected.').waitFor({ timeout: 15_000 });
    expect((await home.json<Health>('daemon', 'status')).pid).not.toBe(before.pid);
    await waitConsole(page);
    await type(page, 'echo after the restart\r');
    const text = await waitForText(page, 'after the restart\nfbay-virtual>');
    expect(text.indexOf('before the restart')).toBeLessThan(text.indexOf('after the restart'));
    expect(await page.getByTestId('line-state').textContent()).toBe('connected');
    await page.context().close();
  }, 40_000);
});
