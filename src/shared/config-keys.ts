// The config keys fbay knows, each with its default and a parser that validates a value typed on the CLI.
import { UserError } from './user-error.js';
import { EXIT } from '../transport/protocol/errors.js';

export interface TierConfig {
  max_concurrent: number;
  /** Sessions are capped at this many seconds; null: no cap. */
  max_session_s: number | null;
  /** Credits an account of this tier starts with; null: unmetered. */
  initial_credits: number | null;
}

export const DEFAULT_TIERS: Record<string, TierConfig> = {
  free: { max_concurrent: 1, max_session_s: 600, initial_credits: 20 },
  top_up: { max_concurrent: 1, max_session_s: null, initial_credits: 0 },
  team: { max_concurrent: 2, max_session_s: null, initial_credits: 0 },
  pro: { max_concurrent: 5, max_session_s: null, initial_credits: 0 },
  local: { max_concurrent: 1, max_session_s: null, initial_credits: null },
};

/** A `boards` entry (written by `fbay boards add`): a board named by serial number or path. Checked by the daemon. */
export interface BoardEntryConfig {
  name: string;
  type: string;
  path?: string;
  serial_number?: string;
  baud?: number;
  rate_credits_per_min?: number;
  /** Reset sequences in esptool's notation (D0|R1|W0.1|…), for boards without a built-in one. */
  reset_hard?: string;
  reset_bootloader?: string;
}

/** Browser sessions (DESIGN §3): host capacity, the Chromium to run, the local account's plan and the plan table. */
export interface BrowserPlanConfig {
  max_concurrent: number;
  /** Browser hours a month (from ready to ended); null: no quota. */
  monthly_hours: number | null;
}

export interface BrowsersConfig {
  /** Browsers the host runs at once; more creates queue. */
  max_concurrent: number;
  /** Absolute path of Chromium/Chrome; null: found on PATH. */
  executable: string | null;
  plan: string;
  plans: Record<string, Partial<BrowserPlanConfig>>;
}

export const DEFAULT_BROWSER_PLANS: Record<string, BrowserPlanConfig> = {
  free: { max_concurrent: 1, monthly_hours: 1 },
  builder: { max_concurrent: 5, monthly_hours: 100 },
  pro: { max_concurrent: 25, monthly_hours: 500 },
  scale: { max_concurrent: 100, monthly_hours: 5000 },
};

export const DEFAULT_BROWSERS: BrowsersConfig = { max_concurrent: 8, executable: null, plan: 'builder', plans: {} };

export interface RemoteEntryConfig {
  url: string;
  key: string;
  /** A PEM CA file to trust, for a host with a self-signed certificate. */
  ca?: string;
}

export interface FbayConfig {
  virtual_boards: number;
  idle_timeout_s: number;
  board_grace_s: number;
  boards: BoardEntryConfig[];
  /** HOST:PORT the daemon also serves on over TCP (API keys required); absent: Unix socket only. */
  listen?: string | null;
  /** Other fbay hosts this daemon mirrors sessions from (`fbay remote add`). */
  remotes?: Record<string, RemoteEntryConfig>;
  /** The remote commands use when no --remote is given; absent: this host. */
  default_remote?: string | null;
  /** PEM files for HTTPS/WSS on the TCP listener. */
  tls?: { cert?: string; key?: string };
  account: { tier: string; balance_credits?: number | null };
  tiers: Record<string, Partial<TierConfig>>;
  browsers: BrowsersConfig;
}

export const DEFAULT_CONFIG: FbayConfig = {
  virtual_boards: 2,
  idle_timeout_s: 30,
  board_grace_s: 5,
  boards: [],
  account: { tier: 'local' },
  tiers: {},
  browsers: DEFAULT_BROWSERS,
};

export const MAX_IDLE_TIMEOUT_S = 86_400;

type Parser = (raw: string, key: string) => unknown;

const bad = (key: string, raw: string, want: string) =>
  new UserError(`${key} must be ${want}; got '${raw}'.`, { exit: EXIT.usage, next: `fbay config set ${key} <${want}>` });

export const intIn = (min: number, max: number): Parser => (raw, key) => {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) throw bad(key, raw, `an integer from ${min} to ${max}`);
  return n;
};

const nullableIntIn = (min: number, max: number): Parser => (raw, key) =>
  raw === 'none' || raw === 'null' ? null : intIn(min, max)(raw, key);

const credits: Parser = (raw, key) => {
  if (raw === 'none' || raw === 'null') return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1e9) throw bad(key, raw, "a number of credits ≥ 0, or 'none'");
  return n;
};

const tierName: Parser = (raw, key) => {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(raw)) throw bad(key, raw, `a tier name (${Object.keys(DEFAULT_TIERS).join(', ')})`);
  return raw;
};

/** HOST:PORT, with [v6] brackets allowed; 'none' turns TCP off. */
export const listenAddress: Parser = (raw, key) => {
  if (raw === 'none' || raw === 'null') return null;
  const parsed = parseListen(raw);
  if (!parsed) throw bad(key, raw, 'HOST:PORT, e.g. 0.0.0.0:7070 or 127.0.0.1:7070');
  return raw;
};

export function parseListen(raw: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  return m && port >= 0 && port <= 65535 ? { host: m[1] ?? m[2]!, port } : null;
}

const pemPath: Parser = (raw, key) => {
  if (raw === 'none' || raw === 'null') return null;
  if (!raw.startsWith('/')) throw bad(key, raw, 'an absolute path to a PEM file');
  return raw;
};

const planName: Parser = (raw, key) => {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(raw)) throw bad(key, raw, `a plan name (${Object.keys(DEFAULT_BROWSER_PLANS).join(', ')})`);
  return raw;
};

const hoursOrNone: Parser = (raw, key) => {
  if (raw === 'none' || raw === 'null') return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1e6) throw bad(key, raw, "a number of hours ≥ 0, or 'none'");
  return n;
};

const executablePath: Parser = (raw, key) => {
  if (raw === 'none' || raw === 'null') return null;
  if (!raw.startsWith('/') || raw.length > 4096) throw bad(key, raw, "an absolute path to Chromium, or 'none' to search PATH");
  return raw;
};

interface KeySpec {
  pattern: RegExp;
  parse: Parser;
  describe: string;
}

export const CONFIG_KEYS: KeySpec[] = [
  { pattern: /^virtual_boards$/, parse: intIn(0, 10_000), describe: 'number of virtual boards the daemon hosts' },
  { pattern: /^idle_timeout_s$/, parse: intIn(1, MAX_IDLE_TIMEOUT_S), describe: 'default idle timeout of a session, seconds' },
  { pattern: /^listen$/, parse: listenAddress, describe: "HOST:PORT to serve teammates on over TCP (API keys), or 'none'" },
  { pattern: /^tls\.(cert|key)$/, parse: pemPath, describe: 'PEM file for TLS on the TCP listener' },
  { pattern: /^board_grace_s$/, parse: intIn(0, 300), describe: 'how long a session survives its board re-enumerating, seconds' },
  { pattern: /^account\.tier$/, parse: tierName, describe: "the local owner account's tier" },
  { pattern: /^account\.balance_credits$/, parse: credits, describe: "the local account's balance; 'none' = unmetered" },
  { pattern: /^tiers\.[a-z][a-z0-9_]{0,31}\.max_concurrent$/, parse: intIn(1, 10_000), describe: 'concurrent sessions' },
  { pattern: /^tiers\.[a-z][a-z0-9_]{0,31}\.max_session_s$/, parse: nullableIntIn(1, 31_536_000), describe: "session cap, seconds, or 'none'" },
  { pattern: /^tiers\.[a-z][a-z0-9_]{0,31}\.initial_credits$/, parse: credits, describe: "starting credits, or 'none'" },
  { pattern: /^browsers\.max_concurrent$/, parse: intIn(1, 1000), describe: 'browsers this host runs at once; more creates queue' },
  { pattern: /^browsers\.executable$/, parse: executablePath, describe: "Chromium to run; 'none' = search PATH" },
  { pattern: /^browsers\.plan$/, parse: planName, describe: "the local account's browser plan (free, builder, pro, scale)" },
  { pattern: /^browsers\.plans\.[a-z][a-z0-9_]{0,31}\.max_concurrent$/, parse: intIn(1, 10_000), describe: 'concurrent browser sessions' },
  { pattern: /^browsers\.plans\.[a-z][a-z0-9_]{0,31}\.monthly_hours$/, parse: hoursOrNone, describe: "browser hours a month, or 'none'" },
];

/** Validates KEY=VALUE as typed by a user and returns the typed value. */
export function parseConfigValue(key: string, raw: string): unknown {
  const spec = CONFIG_KEYS.find((k) => k.pattern.test(key));
  if (!spec) {
    throw new UserError(`Unknown config key '${key}'.`, {
      exit: EXIT.usage,
      next: 'Run `fbay config list` to see the keys, e.g. virtual_boards, idle_timeout_s, account.tier, account.balance_credits, tiers.NAME.max_concurrent.',
    });
  }
  return spec.parse(raw, key);
}

/** The browser plan table: the defaults with config overrides, plus any plan config adds. */
export function browserPlanTable(config: FbayConfig): Record<string, BrowserPlanConfig> {
  const out: Record<string, BrowserPlanConfig> = {};
  const plans = config.browsers?.plans ?? {};
  for (const name of new Set([...Object.keys(DEFAULT_BROWSER_PLANS), ...Object.keys(plans)])) {
    out[name] = { ...(DEFAULT_BROWSER_PLANS[name] ?? DEFAULT_BROWSER_PLANS.free!), ...(plans[name] ?? {}) };
  }
  return out;
}

export function tierTable(config: FbayConfig): Record<string, TierConfig> {
  const out: Record<string, TierConfig> = {};
  for (const name of new Set([...Object.keys(DEFAULT_TIERS), ...Object.keys(config.tiers ?? {})])) {
    out[name] = { ...(DEFAULT_TIERS[name] ?? DEFAULT_TIERS.top_up!), ...(config.tiers?.[name] ?? {}) };
  }
  return out;
}
