// Test helper: the session core with the browser kind over a fake host whose launches the test resolves or fails.
import { vi } from 'vitest';
import { systemClock } from '../../../../src/shared/clock.js';
import { browserPlanTable, DEFAULT_CONFIG, sandboxPlanTable, tierTable } from '../../../../src/shared/config-keys.js';
import type { ArtifactSet, BrowserHost, LaunchSpec, LiveBrowser } from '../../../../src/daemon/browsers/browser-host.js';
import type { CdpConnection } from '../../../../src/daemon/browsers/cdp-connection.js';
import type { BrowserSession } from '../../../../src/transport/protocol/browser-api.js';
import { ApiError } from '../../../../src/transport/protocol/errors.js';
import { browserKind } from '../../../../src/daemon/providers/browser/browser-kind.js';
import { browserList } from '../../../../src/daemon/providers/browser/browser-list.js';
import { BrowserProvider } from '../../../../src/daemon/providers/browser/browser-provider.js';
import type { ClientCloser } from '../../../../src/daemon/browsers/browser-host.js';
import type { BrowserRecord } from '../../../../src/daemon/providers/browser/browser-record.js';
import { cdpSessions } from '../../../../src/daemon/providers/browser/cdp-sessions.js';
import { SessionCore } from '../../../../src/daemon/sessions/session-core.js';
import { MemoryStore } from '../../../../src/daemon/sessions/store/memory-store.js';
import type { SessionStore } from '../../../../src/daemon/sessions/store/store.js';
import type { Stores } from '../../../helpers/stores.js';

export class FakeLive implements LiveBrowser {
  pid = 4242;
  version = 'HeadlessChrome/156';
  warm = false;
  connection = { fake: true } as unknown as CdpConnection;
  crash!: (reason: string) => void;
  lost = new Promise<string>((resolve) => (this.crash = resolve));
  finished: string[] = [];
  closed = 0;
  /** finish() waits for this when set (a test holds a session in `ending`). */
  hold: Promise<void> | null = null;
  artifacts: ArtifactSet = {
    screenshots: [],
    har: { name: 'network.har', path: '/tmp/x/network.har', bytes: 10, contentType: 'application/json' },
    recording: null,
    consoleLogs: null,
  };
  async finish(dir: string) {
    this.finished.push(dir);
    await this.hold;
    this.closed++;
    return { artifacts: this.artifacts };
  }
  async close() {
    this.closed++;
  }
}

interface Launch {
  id: string;
  spec: LaunchSpec;
  resolve(b?: FakeLive): FakeLive;
  reject(err: Error): void;
}

export const isFinal = (s: { state: string }) => s.state === 'ended' || s.state === 'failed';

export interface BrowserHarnessOptions {
  capacity?: number;
  plan?: { max_concurrent: number; monthly_hours: number | null };
  /** What a daemon that stopped kept: this one starts on it. */
  store?: SessionStore;
  queueTimeoutMs?: number;
  /** Resolves once the store has no call under way (a store with real I/O). */
  idle?: () => Promise<void>;
}

/** The harness on one kind of store (journal or PostgreSQL). */
export const browserHarnessOn = (stores: Stores) => (options: BrowserHarnessOptions = {}) =>
  harness({ ...options, store: options.store ?? stores.open(isFinal), idle: () => stores.idle() });

export function harness(options: BrowserHarnessOptions = {}) {
  const launches: Launch[] = [];
  let installed = true;
  let ffmpeg = true;
  const host: BrowserHost = {
    check: (spec) => {
      if (!installed) throw new ApiError('upstream_unavailable', 'No Chromium or Chrome found on this host.', { next: 'apt-get install chromium' });
      if (spec.recording && !ffmpeg) throw new ApiError('upstream_unavailable', 'Recording needs ffmpeg: install the `ffmpeg` package.');
    },
    launch: (id, spec) =>
      new Promise<LiveBrowser>((resolve, reject) => {
        launches.push({
          id,
          spec,
          resolve: (b = new FakeLive()) => {
            resolve(b);
            return b;
          },
          reject,
        });
      }),
    profileLocked: () => false,
    artifactsDir: (id) => `/tmp/artifacts/${id}`,
    artifactFile: (id, name) => `/tmp/artifacts/${id}/${name}`,
    warmCount: 0,
    setWarm: async () => {},
    prune: () => {},
    close: async () => {},
  };
  const settings = { max_concurrent: options.capacity ?? 2 };
  const config = { ...DEFAULT_CONFIG, browsers: { ...DEFAULT_CONFIG.browsers, plans: { scale: options.plan ?? { max_concurrent: 5, monthly_hours: 100 } } } };
  const provider = new BrowserProvider({ host, capacity: () => settings.max_concurrent, now: () => Date.now(), log: vi.fn() });
  const store = options.store ?? new MemoryStore();
  const core = new SessionCore({
    clock: systemClock,
    store,
    kinds: [
      browserKind({
        cdpUrl: (s: BrowserRecord) => `ws://127.0.0.1:9/v1/browsers/${s.id}/cdp?token=${s.cdp_token}`,
        clientsOf: (id) => provider.clientsOf(id),
        queueTimeoutMs: () => options.queueTimeoutMs ?? 60_000,
        now: () => Date.now(),
      }),
    ],
    providers: { browser: provider },
    tiers: () => ({ tiers: tierTable(config), browserPlans: browserPlanTable(config), sandboxPlans: sandboxPlanTable(config) }),
    ownerAccount: () => ({ tier: 'local' }),
    log: vi.fn(),
  });
  const restored = core.restore();
  const cdp = cdpSessions(core, provider, null);
  const view = (s: BrowserRecord) => core.view(s) as BrowserSession;
  // The engine's operations as the routes and the CDP proxy reach them.
  const engine = {
    on: (_event: 'change', listener: (s: BrowserSession) => void) => core.on('event', (e) => e.type === 'state' && e.session.kind === 'browser' && listener(e.session)),
    create: async (account: string, req: Record<string, unknown>) => {
      await restored;
      return view((await core.create(account, 'browser', req, { idempotencyKey: null })) as BrowserRecord);
    },
    find: (account: string, id: string) => core.find(account, id, 'browser') as BrowserRecord,
    view,
    end: async (account: string, id: string) => view((await core.end(account, id, 'browser')) as BrowserRecord),
    list: (account: string, all = false) => browserList(core, account, all, undefined, { maxConcurrent: settings.max_concurrent, warm: 0 }),
    clientConnected: (id: string, close: ClientCloser) => cdp.clientConnected(id, close),
    connectionFor: (account: string, id: string) => cdp.resolve(id, account, null).connection,
    connectionForToken: (id: string, token: string | null) => cdp.resolve(id, null, token),
    settingsChanged: () => provider.capacityChanged(),
    shutdown: () => core.shutdown(false),
    restore: () => restored,
  };
  return {
    core,
    engine,
    store,
    launches,
    settings,
    uninstall: () => (installed = false),
    withoutFfmpeg: () => (ffmpeg = false),
    /** Lets pending promise callbacks run (launch results reaching the core). */
    flush: async () => {
      await options.idle?.();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}
