// Test helper: a ChromiumHost on the real Debian Chromium in a temp state dir, with its browsers reachable by
// playwright-core through the daemon's own CDP proxy on a loopback port.
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { systemClock } from '../../../src/shared/clock.js';
import { browserDirs, type BrowserDirs } from '../../../src/daemon/browsers/browser-dirs.js';
import { PLAIN_SPEC, type LaunchSpec, type LiveBrowser } from '../../../src/daemon/browsers/browser-host.js';
import { CdpListener } from '../../../src/daemon/browsers/cdp-listener.js';
import { CdpProxy } from '../../../src/daemon/browsers/cdp-proxy.js';
import { ChromiumHost, type ChromiumHostOptions } from '../../../src/daemon/browsers/chromium-host.js';

export const CHROMIUM = '/usr/bin/chromium';
export const FFMPEG = '/usr/bin/ffmpeg';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** A session id of the usual shape (the CDP proxy checks it), made here: the host itself takes any name. */
export const sessionId = () => `ses_${Array.from({ length: 24 }, () => ALNUM[randomInt(ALNUM.length)]).join('')}`;

export interface HostHarness {
  home: string;
  dirs: BrowserDirs;
  host: ChromiumHost;
  logs: string[];
  launch(spec?: Partial<LaunchSpec>): Promise<{ id: string; browser: LiveBrowser }>;
  /** Playwright on the session's browser, through the CDP proxy as a user's client would be. */
  connect(id: string): Promise<Browser>;
  close(): Promise<void>;
}

/** A host with `warm` browsers kept ready (as the daemon sets its pool a second after it starts). */
export async function openHost({ warm = 0, ...options }: Partial<ChromiumHostOptions> & { warm?: number } = {}): Promise<HostHarness> {
  const home = mkdtempSync('/tmp/fbay-host-');
  const dirs = browserDirs(join(home, 'state'));
  const logs: string[] = [];
  const host = new ChromiumHost({
    dirs,
    clock: systemClock,
    log: (m) => logs.push(m),
    executable: () => CHROMIUM,
    ffmpeg: () => FFMPEG,
    ...options,
  });
  void host.setWarm(warm);
  const live = new Map<string, LiveBrowser>();
  const clients: Browser[] = [];
  const proxy = new CdpProxy(
    {
      resolve: (id) => ({ account: 'local', connection: live.get(id)!.connection }),
      clientConnected: () => () => {},
      end: async () => {},
    },
    (m) => logs.push(m),
  );
  const listener = new CdpListener(proxy, (m) => logs.push(m));
  await listener.listen();
  return {
    home,
    dirs,
    host,
    logs,
    async launch(spec = {}) {
      const id = sessionId();
      const browser = await host.launch(id, { ...PLAIN_SPEC, ...spec });
      live.set(id, browser);
      return { id, browser };
    },
    async connect(id) {
      const browser = await chromium.connectOverCDP(listener.url(id, 'test'));
      clients.push(browser);
      return browser;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await Promise.all([...live.values()].map((b) => b.close()));
      await host.close();
      proxy.close();
      listener.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Pids of processes whose command line names `needle` (a session's user-data-dir): none once its browser is gone. */
export function pidsNaming(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
