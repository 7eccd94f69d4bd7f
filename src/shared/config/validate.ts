// Reads config.json against the key specs: a bad value is reported with its key and value and the last good value
// (or the default) stands in for it, so a hand-edited typo never stops the daemon.
import { DEFAULT_CONFIG, type FbayConfig } from './defaults.js';
import { complaint, CONTAINERS, specFor } from './key-specs.js';

export interface ConfigReading {
  config: FbayConfig;
  /** One sentence per key that was wrong: `tiers.free.max_concurrent is "two": …; using 1`. */
  problems: string[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown) => JSON.stringify(x)?.slice(0, 80) ?? String(x);

/** The value at a dotted path, through own properties only (a key named `constructor` is data, never a method). */
export function getPath(obj: unknown, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (!isObject(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(cur[part])) Object.defineProperty(cur, part, { value: {}, enumerable: true, writable: true, configurable: true });
    cur = cur[part] as Record<string, unknown>;
  }
  Object.defineProperty(cur, parts.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}

export function validateConfig(raw: unknown, fallback: FbayConfig = DEFAULT_CONFIG): ConfigReading {
  const problems: string[] = [];
  const good: Record<string, unknown> = {};
  const walk = (value: unknown, prefix: string) => {
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (CONTAINERS.some((c) => c.test(key)) && isObject(child)) {
        walk(child, key);
        continue;
      }
      const spec = specFor(key);
      if (!spec) {
        problems.push(`${key} is not a config key (ignored); see \`fbay config list\``);
        continue;
      }
      const why = complaint(spec, child);
      if (why === null) {
        setPath(good, key, child);
        continue;
      }
      const standIn = getPath(fallback, key);
      problems.push(`${key} is ${show(child)}: it must be ${spec.want}; using ${standIn === undefined ? 'the default' : show(standIn)}`);
      if (standIn !== undefined) setPath(good, key, standIn);
    }
  };
  if (isObject(raw)) walk(raw, '');
  else if (raw !== undefined) problems.push(`config.json must hold a JSON object; got ${show(raw)}`);
  const g = good as Partial<FbayConfig>;
  return {
    config: {
      ...DEFAULT_CONFIG,
      ...g,
      account: { ...DEFAULT_CONFIG.account, ...(g.account ?? {}) },
      tiers: { ...(g.tiers ?? {}) },
      browsers: { ...DEFAULT_CONFIG.browsers, ...(g.browsers ?? {}), plans: { ...(g.browsers?.plans ?? {}) } },
      sandbox: { ...(g.sandbox ?? {}), plans: { ...(g.sandbox?.plans ?? {}) } },
    },
    problems,
  };
}
