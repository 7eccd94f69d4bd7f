// Takes the README's dashboard screenshots (docs/dashboard-*.png) in Debian's Chromium against a fresh daemon, at
// 1280×800 and 390×844: the boards, a console (also dark), a board session with the Flash panel after a flash, a
// sandbox after a command and an upload, and a browser session's live view. Run after `npm run build`; the sandbox
// shots need what sandboxes need (root, bubblewrap) and are skipped with a note otherwise.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startDaemon } from '../bench/lib.mjs';
import { buildAppImage } from '../dist/daemon/flash/image-builder.js';

const SIZES = { '1280x800': { width: 1280, height: 800 }, '390x844': { width: 390, height: 844 } };
const out = join(ROOT, 'docs');
const files = mkdtempSync(join(tmpdir(), 'fbay-shots-'));
const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu'];

const d = await startDaemon({ virtual_boards: 3 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
mkdirSync(out, { recursive: true });
const shots = [];

/** A logged-in page at `viewport`, on the boards. */
async function open(viewport, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto((await d.api('POST', '/v1/ui/login', {})).body.url);
  await page.locator('[data-board]').first().waitFor();
  return page;
}

async function shoot(page, name) {
  await page.locator('body').click({ position: { x: 5, y: 5 } }); // no focus ring in the picture
  shots.push(await page.screenshot({ path: join(out, `dashboard-${name}.png`) }));
}

const go = (page, hash) => page.goto(new URL(`/ui/${hash}`, page.url()).href);

async function typeInConsole(page, text) {
  await page.waitForFunction(() => window.fbayConsole?.state() === 'open');
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.waitForFunction(() => window.fbayConsole.text().trimEnd().endsWith('fbay-virtual>'));
}

async function boardsAndConsole(size, viewport, colorScheme) {
  const page = await open(viewport, colorScheme);
  const suffix = `${size}${colorScheme === 'dark' ? '-dark' : ''}`;
  if (colorScheme === 'light') await shoot(page, `boards-${suffix}`);
  const session = (await d.api('GET', '/v1/sessions')).body.sessions[0];
  if (session) await go(page, `#/sessions/${session.id}`);
  else await page.getByRole('button', { name: 'Start session on virtual-1' }).click();
  await typeInConsole(page, size === '1280x800' && colorScheme === 'light' ? 'info\rhelp\r' : 'uptime\r');
  await shoot(page, `console-${suffix}`);
  await page.context().close();
}

async function flash(size, viewport) {
  const page = await open(viewport);
  // The console's session (the owner has one live board session at a time); ended after, for a fresh console next.
  const session = (await d.api('GET', '/v1/sessions')).body.sessions[0];
  await go(page, `#/sessions/${session.id}`);
  await page.waitForFunction(() => window.fbayConsole?.state() === 'open');
  await page.getByRole('button', { name: 'Flash', exact: true }).click();
  const app = join(files, 'blink.bin');
  writeFileSync(app, buildAppImage({ projectName: 'blink', version: '1.4.2', size: 192 * 1024, seed: 7 }));
  await page.getByTestId('flash-files').setInputFiles(app);
  await page.getByRole('button', { name: 'Flash 1 image' }).click();
  await page.locator('[data-testid="flash-progress"][data-state="succeeded"]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => window.fbayConsole.text().includes('App version:      1.4.2') && window.fbayConsole.text().trimEnd().endsWith('fbay-virtual>'));
  await shoot(page, `flash-${size}`);
  await page.context().close();
  await d.api('DELETE', `/v1/sessions/${session.id}`);
}

let sandboxId = null;
async function sandbox(size, viewport) {
  const page = await open(viewport);
  if (!sandboxId) {
    const made = await d.api('POST', '/v1/sessions', { kind: 'sandbox', ttl: 3600 });
    if (made.status !== 201) return console.log(`no sandbox screenshots: ${made.body.error}`);
    sandboxId = made.body.id;
    await d.api('POST', `/v1/sessions/${sandboxId}/exec`, { command: "mkdir -p src && printf 'Bun.serve({ port: 3000, fetch: () => new Response(\"hi\") });\\n' > src/index.ts" });
  }
  await go(page, `#/sandboxes/${sandboxId}`);
  await page.locator('[data-testid="sandbox-state"]', { hasText: /^active$/ }).waitFor({ timeout: 20_000 });
  const command = page.getByRole('textbox', { name: 'Command' });
  await command.fill('echo "hello from $(uname -s)"; bun --version; ls /workspace');
  await command.press('Enter');
  await page.locator('[data-testid="exec-run"][data-exit="0"]').waitFor();
  const notes = join(files, 'notes.txt');
  writeFileSync(notes, 'uploaded from the dashboard\n');
  await page.getByTestId('upload-files').setInputFiles(notes);
  await page.locator('tr[data-file="notes.txt"]').waitFor();
  await shoot(page, `sandbox-${size}`);
  await page.context().close();
}

let browserSession = null;
async function livePage(size, viewport) {
  const page = await open(viewport);
  if (!browserSession) {
    const made = await d.api('POST', '/v1/browsers', { record: ['screenshots'] });
    const ready = await d.api('GET', `/v1/browsers?id=${made.body.id}&wait=usable`);
    const driven = await chromium.connectOverCDP(ready.body.cdpUrl);
    const tab = driven.contexts()[0].pages()[0];
    await tab.setContent(`<!doctype html><title>Checkout — Acme</title><body style="font:18px system-ui;margin:0;background:#f6f1e7">
<header style="background:#264653;color:#fff;padding:18px 32px;font-weight:700">Acme store</header>
<main style="padding:32px"><h1 style="color:#264653">Your basket</h1><p>2 items · €48.00</p>
<button style="font:inherit;background:#e76f51;color:#fff;border:0;padding:12px 24px;border-radius:8px">Pay now</button></main>`);
    browserSession = { id: made.body.id, driven };
  }
  await go(page, `#/browsers/${browserSession.id}`);
  await page.getByTestId('live-page').getByText('Checkout — Acme').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="live-canvas"]').dataset.frames) > 0);
  await shoot(page, `browser-${size}`);
  await page.context().close();
}

try {
  for (const [size, viewport] of Object.entries(SIZES)) {
    for (const scheme of size === '1280x800' ? ['light', 'dark'] : ['light']) await boardsAndConsole(size, viewport, scheme);
        await flash(size, viewport);
        await sandbox(size, viewport);
        await livePage(size, viewport);
  }
  console.log(`wrote ${shots.length} screenshots to docs/`);
} finally {
  await browserSession?.driven.close().catch(() => undefined);
  await browser.close();
  await d.stop();
  rmSync(files, { recursive: true, force: true });
}
