// The daemon's view of the `browsers.*` config keys: host capacity, executable, and each account's plan.
import { ConfigStore } from '../../shared/config-store.js';
import { browserPlanTable, DEFAULT_BROWSERS, type BrowserPlanConfig } from '../../shared/config-keys.js';
import type { FbayPaths } from '../../shared/paths.js';

/** The owner's account over the Unix socket (the board engine's LOCAL_ACCOUNT). */
const LOCAL = 'local';

export interface BrowserPlan extends BrowserPlanConfig {
  name: string;
}

export interface BrowserSettings {
  max_concurrent: number;
  executable: string | null;
  plan(account: string): BrowserPlan;
}

export function readBrowserSettings(store: Pick<ConfigStore, 'read'>): BrowserSettings {
  const config = store.read();
  const b = { ...DEFAULT_BROWSERS, ...(config.browsers ?? {}) };
  const table = browserPlanTable(config);
  return {
    max_concurrent: Number.isInteger(b.max_concurrent) && b.max_concurrent > 0 ? b.max_concurrent : DEFAULT_BROWSERS.max_concurrent,
    executable: typeof b.executable === 'string' && b.executable !== '' ? b.executable : null,
    plan(account) {
      // Accounts of API keys (TCP clients) start on the free plan; the owner's plan is `browsers.plan`.
      const name = account === LOCAL && table[b.plan] ? b.plan : 'free';
      return { name, ...table[name]! };
    },
  };
}

/** Read once at start and on every config reload, never per request. */
export class BrowserSettingsSource {
  private readonly store: ConfigStore;
  private current: BrowserSettings;

  constructor(paths: FbayPaths) {
    this.store = new ConfigStore(paths);
    this.current = readBrowserSettings(this.store);
  }

  reload(): void {
    this.current = readBrowserSettings(this.store);
  }

  get(): BrowserSettings {
    return this.current;
  }
}
