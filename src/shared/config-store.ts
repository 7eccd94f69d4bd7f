// Reads and writes config.json (atomic writes, 0600); every read is checked against the key specs.
import type { FbayPaths } from './paths.js';
import { DEFAULT_CONFIG, type FbayConfig } from './config/defaults.js';
import { deletePath, readConfigFile, setPath, writeConfigFile } from './config/config-file.js';
import { validateConfig, type ConfigReading } from './config/validate.js';

export { getPath } from './config/validate.js';

export class ConfigStore {
  constructor(private readonly paths: FbayPaths) {}

  /** The config in effect, with a sentence for each value that was wrong (the last good one, or the default, used). */
  reading(fallback: FbayConfig = DEFAULT_CONFIG): ConfigReading {
    let stored: unknown;
    try {
      // Nothing is cached between reads: each is the file as it is now.
      stored = readConfigFile(this.paths.configFile);
    } catch (err) {
      return { config: fallback, problems: [`${this.paths.configFile} does not parse (${(err as Error).message}); using the last good config`] };
    }
    return validateConfig(stored, fallback);
  }

  read(): FbayConfig {
    return this.reading().config;
  }

  set(key: string, value: unknown): void {
    if (value === null && (key === 'account.balance_credits' || key === 'default_remote')) return this.delete(key);
    this.update((config) => setPath(config, key, value));
  }

  delete(key: string): void {
    this.update((config) => deletePath(config, key));
  }

  /** Changes the file as it is now (a hand edit since the last read is kept), or says why it cannot. */
  private update(change: (config: Record<string, unknown>) => void): void {
    let config: Record<string, unknown>;
    try {
      config = readConfigFile(this.paths.configFile);
    } catch (err) {
      throw new Error(`${this.paths.configFile} does not parse (${(err as Error).message}); fix or remove it, then try again`);
    }
    change(config);
    writeConfigFile(this.paths.configFile, config);
  }
}
