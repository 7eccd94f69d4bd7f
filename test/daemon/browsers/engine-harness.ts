// Test helper: a BrowserEngine over a fake host whose launches the test resolves or fails by hand.
import { vi } from 'vitest';
import { systemClock } from '../../../src/shared/clock.js';
import { BrowserEngine, type BrowserHost } from '../../../src/daemon/browsers/browser-engine.js';
import { MemoryBrowserStore } from '../../../src/daemon/browsers/browser-store.js';
import type { BrowserSettings } from '../../../src/daemon/browsers/browser-settings.js';
import type { LiveBrowser } from '../../../src/daemon/browsers/local-browser.js';
import type { CdpConnection } from '../../../src/daemon/browsers/cdp-connection.js';
import type { BrowserArtifact } from '../../../src/transport/protocol/browser-api.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';

export class FakeLive implements LiveBrowser {
  pid = 4242;
  version = 'HeadlessChrome/156';
  connection = { fake: true } as unknown as CdpConnection;
  crash!: (reason: string) => void;
  lost = new Promise<string>((resolve) => (this.crash = resolve));
  finished: string[] = [];
  closed = 0;
  artifacts: BrowserArtifact[] = [{ kind: 'har', path: '/tmp/x/network.har', bytes: 10 }];
  async finish(dir: string) {
    this.finished.push(dir);
    this.closed++;
    return this.artifacts;
  }
  async close() {
    this.closed++;
  }
}

interface Launch {
  id: string;
  resolve(b?: FakeLive): FakeLive;
  reject(err: Error): void;
}

export function harness(options: { capacity?: number; plan?: { max_concurrent: number; monthly_hours: number | null }; store?: MemoryBrowserStore } = {}) {
  const launches: Launch[] = [];
  const cleaned: string[] = [];
  let installed = true;
  const host: BrowserHost = {
    check: () => {
      if (!installed) throw new ApiError('upstream_unavailable', 'No Chromium or Chrome found on this host.', { next: 'apt-get install chromium' });
    },
    launch: (id) =>
      new Promise<LiveBrowser>((resolve, reject) => {
        launches.push({
          id,
          resolve: (b = new FakeLive()) => {
            resolve(b);
            return b;
          },
          reject,
        });
      }),
    artifactsDir: (id) => `/tmp/artifacts/${id}`,
    cleanup: (id) => void cleaned.push(id),
    prune: () => {},
  };
  const settings: BrowserSettings = {
    max_concurrent: options.capacity ?? 2,
    executable: null,
    plan: () => ({ name: 'builder', ...(options.plan ?? { max_concurrent: 5, monthly_hours: 100 }) }),
  };
  const store = options.store ?? new MemoryBrowserStore();
  const engine = new BrowserEngine({
    clock: systemClock,
    store,
    host,
    settings: () => settings,
    cdpUrl: (id, token) => `ws://127.0.0.1:9/v1/browsers/${id}/cdp?token=${token}`,
    log: vi.fn(),
  });
  return {
    engine,
    store,
    launches,
    cleaned,
    settings,
    uninstall: () => (installed = false),
    /** Lets pending promise callbacks run (launch results reaching the engine). */
    flush: async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}
