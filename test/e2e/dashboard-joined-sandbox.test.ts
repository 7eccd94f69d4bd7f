// A sandbox in a coordinator's dashboard that runs on a host joined to it (`--join`), in Chromium against the built
// daemons: made from the page, on the host (its files are there), a command's output streamed through the tunnel
// into the page's terminal, a file uploaded and listed, and ended from the page, which ends it on the host too.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { requireSandboxHost } from '../daemon/sandboxes/harness.js';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../helpers/daemon-process.js';
import { freePort } from '../helpers/free-port.js';
import { hostSessionOf, logged } from '../helpers/joined-hosts.js';
import type { Home } from './helpers.js';
import { dashboardSuite, openDashboard } from './dashboard-helpers.js';

let browser: Browser;
let home: Home;
dashboardSuite((b) => (browser = b), (h) => (home = h), requireSandboxHost);

let host: { home: TestHome; daemon: DaemonProcess } | null = null;
afterEach(async () => {
  if (host) await stopDaemon(host.daemon), host.home.cleanup();
  host = null;
});

/** The coordinator is the dashboard's own daemon (in `home`), serving TCP; a host with one sandbox slot joins it. */
async function coordinatorWithHost(): Promise<void> {
  home.config({ virtual_boards: 1 });
  const port = await freePort();
  await spawnDaemon(home.dir, { FBAY_LISTEN: `127.0.0.1:${port}` });
  const key = (await api(join(home.dir, 'fbayd.sock'), 'POST', '/v1/keys', { name: 'lab1', kind: 'host' })).body.key as string;
  const hostHome = makeHome();
  hostHome.writeConfig({ virtual_boards: 0, join: { sandboxes: 1 } });
  host = { home: hostHome, daemon: await spawnDaemon(hostHome.home, { FBAY_JOIN: `ws://127.0.0.1:${port}`, FBAY_JOIN_KEY: key }) };
  await logged(host.daemon, /joined .* as host 'lab1'/);
}

async function newSandbox(page: Page, origin: string): Promise<string> {
  await page.goto(`${origin}/ui/#/sandboxes`);
  await page.getByRole('button', { name: 'New sandbox' }).click();
  await page.waitForURL(/#\/sandboxes\/ses_/);
  await page.locator('[data-testid="sandbox-state"]', { hasText: /^active$/ }).waitFor({ timeout: 20_000 });
  return decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
}

describe("a sandbox on a joined host, in the coordinator's dashboard", () => {
  it('is made there from the page, runs commands and takes files through the tunnel, and ends there', { timeout: 90_000 }, async () => {
    await coordinatorWithHost();
    const { page, errors, origin } = await openDashboard(browser, home);
    const id = await newSandbox(page, origin);
    const onHost = join(host!.home.home, 'state', 'sandboxes', hostSessionOf(host!.home.home, id));
    expect(existsSync(onHost)).toBe(true);

    const command = page.getByRole('textbox', { name: 'Command' });
    await command.fill('echo from the lab; echo oops >&2; exit 4');
    await command.press('Enter');
    await page.locator('[data-testid="exec-run"][data-exit="4"]').waitFor();
    expect(await page.getByTestId('exec-output').textContent()).toMatch(/\$ echo from the lab; echo oops >&2; exit 4\nfrom the lab\noops\n\[exit 4 · \d+ ms\]/);

    const local = join(home.dir, 'notes.txt');
    writeFileSync(local, 'to the lab\n');
    await page.getByTestId('upload-files').setInputFiles(local);
    await page.locator('[data-testid="file-list"] tr[data-file="notes.txt"]').waitFor();
    expect(await home.fbay('sandbox', 'exec', id, '--', 'cat', '/workspace/notes.txt')).toMatchObject({ exitCode: 0, stdout: 'to the lab' });

    await page.getByRole('toolbar', { name: 'Sandbox controls' }).getByRole('button', { name: 'End', exact: true }).click();
    await page.getByRole('button', { name: 'End sandbox' }).click();
    await page.locator('[data-testid="sandbox-state"]', { hasText: /^ended$/ }).waitFor({ timeout: 20_000 });
    await expect.poll(() => existsSync(onHost), { timeout: 20_000 }).toBe(false);
    expect(errors).toEqual([]);
  });
});
