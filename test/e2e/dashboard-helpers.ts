// The dashboard in Debian's Chromium (playwright-core) against the built daemon: log in through `fbay ui`'s link,
// and keep every console error the page logs.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { assertBuilt, Home } from './helpers.js';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: CHROMIUM, args: [...(asRoot ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The one-time link `fbay ui --no-open` prints (the dashboard starts on the first run). */
export async function loginUrl(home: Home): Promise<string> {
  const r = await home.fbay('ui', '--no-open');
  if (r.exitCode !== 0) throw new Error(`fbay ui exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout.trim();
}

export interface Dashboard {
  page: Page;
  /** Every console error and uncaught exception the page logged. */
  errors: string[];
  origin: string;
}

export async function watch(page: Page): Promise<Dashboard> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, origin: new URL(page.url() === 'about:blank' ? 'http://x' : page.url()).origin };
}

/** Logs in through the printed link in a new page and waits for the boards. */
export async function openDashboard(
  browser: Browser,
  home: Home,
  { viewport = { width: 1280, height: 800 }, before }: { viewport?: { width: number; height: number }; before?: (page: Page) => void } = {},
): Promise<Dashboard> {
  const url = await loginUrl(home);
  // A context of its own, kept when the page closes: a reopened tab has the same cookie and storage.
  const page = await (await browser.newContext({ viewport })).newPage();
  before?.(page);
  const d = await watch(page);
  await page.goto(url);
  await page.locator('[data-board]').first().waitFor();
  // The boards are in the page before its script runs; the script has taken the login in once the link is gone.
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).location.pathname === '/ui/');
  return { ...d, origin: new URL(url).origin };
}

/** Starts a session on `board` from the grid and waits for the console to be connected. */
export async function startFromGrid(page: Page, board: string): Promise<string> {
  await page.getByRole('button', { name: `Start session on ${board}` }).click();
  await page.waitForURL(/#\/sessions\/ses_/);
  await waitConsole(page);
  return decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
}

export async function waitConsole(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).fbayConsole?.state() === 'open');
}

/** Types into the terminal as a person would: focus it, then keys. */
export async function type(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

export function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).fbayConsole?.text() ?? '');
}

export async function waitForText(page: Page, needle: string, timeout = 10_000): Promise<string> {
  await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).fbayConsole?.text().includes(n), needle, { timeout });
  return terminalText(page);
}

/** What the tests read in the page (the test code is compiled without the DOM's types). */
export interface PageGlobals {
  fbayConsole?: { text(): string; offset(): number; state(): string };
  document: { activeElement: { classList: { contains(c: string): boolean }; closest(s: string): unknown } | null };
  location: { pathname: string };
}

/**
 * The hooks of a dashboard test file: one Chromium for the file (after `check`, which names what the machine
 * lacks), a fresh Home for each test. The setters give the file its `browser` and `home`.
 */
export function dashboardSuite(setBrowser: (b: Browser) => void, setHome: (h: Home) => void, check: () => void = () => {}): void {
  let browser: Browser | undefined;
  let home: Home | undefined;
  beforeAll(async () => {
    assertBuilt();
    check();
    setBrowser((browser = await launchChromium()));
  });
  afterAll(() => browser?.close());
  beforeEach(() => setHome((home = new Home())));
  afterEach(() => home?.cleanup());
}
