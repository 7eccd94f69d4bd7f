// Reads and writes config.json through conf (atomic writes, 0600), merged over the defaults.
import Conf from 'conf';
import type { FbayPaths } from './paths.js';
import { DEFAULT_CONFIG, type FbayConfig } from './config-keys.js';

export class ConfigStore {
  private readonly conf: Conf<Record<string, unknown>>;

  constructor(paths: FbayPaths) {
    this.conf = new Conf<Record<string, unknown>>({
      projectName: 'fbay',
      cwd: paths.configDir,
      configName: 'config',
      configFileMode: 0o600,
      accessPropertiesByDotNotation: true,
    });
  }

  read(): FbayConfig {
    const stored = this.conf.store as Partial<FbayConfig>;
    return {
      ...DEFAULT_CONFIG,
      ...stored,
      account: { ...DEFAULT_CONFIG.account, ...(stored.account ?? {}) },
      tiers: { ...(stored.tiers ?? {}) },
      browsers: { ...DEFAULT_CONFIG.browsers, ...(stored.browsers ?? {}) },
    };
  }

  get(key: string): unknown {
    return this.conf.has(key) ? this.conf.get(key) : getPath(DEFAULT_CONFIG, key);
  }

  set(key: string, value: unknown): void {
    if (value === null && key === 'account.balance_credits') this.conf.delete(key);
    else this.conf.set(key, value);
  }

  delete(key: string): void {
    this.conf.delete(key);
  }
}

export function getPath(obj: unknown, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
