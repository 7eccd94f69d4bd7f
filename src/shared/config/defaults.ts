// The shape of config.json and its defaults: every value fbay has, and what it is when nobody set it.

export interface TierConfig {
  /** Board sessions live at once. */
  max_concurrent: number;
  /** Board sessions are capped at this many seconds; null: no cap. */
  max_session_s: number | null;
  /** Credits an account of this tier starts with; null: unmetered. */
  initial_credits: number | null;
  /** The browser plan the tier gives (a name in browsers.plans). */
  browser_plan: string;
  /** The sandbox plan the tier gives (a name in sandbox.plans). */
  sandbox_plan: string;
}

export const DEFAULT_TIERS: Record<string, TierConfig> = {
  free: { max_concurrent: 1, max_session_s: 600, initial_credits: 20, browser_plan: 'free', sandbox_plan: 'free' },
  top_up: { max_concurrent: 1, max_session_s: null, initial_credits: 0, browser_plan: 'builder', sandbox_plan: 'paid' },
  team: { max_concurrent: 2, max_session_s: null, initial_credits: 0, browser_plan: 'builder', sandbox_plan: 'paid' },
  pro: { max_concurrent: 5, max_session_s: null, initial_credits: 0, browser_plan: 'pro', sandbox_plan: 'paid' },
  local: { max_concurrent: 1, max_session_s: null, initial_credits: null, browser_plan: 'scale', sandbox_plan: 'paid' },
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
  /** For boards without an ESP ROM: argv (no shell) with {port}, {file}, {offset}, run once per image. */
  flash_command?: readonly string[];
  power?: BoardPowerConfig;
  /** What the board gets after each session, before it is offered again. */
  on_end?: OnEndConfig;
}

/** argv for each action (a cycle without its own is off, delay_s, on), or a USB hub port switched with uhubctl. */
export type BoardPowerConfig =
  | { on?: readonly string[]; off?: readonly string[]; cycle?: readonly string[]; delay_s?: number }
  | { uhubctl: { location: string; port: number }; delay_s?: number };

/** Images at offsets (hex text or a number, absolute file paths), or a full erase. */
export type OnEndConfig = { flash: ReadonlyArray<readonly [number | string, string]> } | { erase: true };

export interface BrowserPlanConfig {
  max_concurrent: number;
  /** Browser hours a month (from ready to ended); null: no quota. */
  monthly_hours: number | null;
}

export const DEFAULT_BROWSER_PLANS: Record<string, BrowserPlanConfig> = {
  free: { max_concurrent: 1, monthly_hours: 5 },
  builder: { max_concurrent: 5, monthly_hours: 100 },
  pro: { max_concurrent: 25, monthly_hours: 1000 },
  scale: { max_concurrent: 100, monthly_hours: 5000 },
};

export interface SandboxPlanConfig {
  /** Sandboxes live at once (deep sleep does not count). */
  max_live: number;
  max_ttl_s: number;
  /** Whether a create may set its own memory, CPU, disk and exec timeout. */
  overrides: boolean;
  /** What a sandbox gets when its create does not say (memory, CPUs' worth of time, disk, exec timeout). */
  memory_mb: number;
  cpu: number;
  disk_mb: number;
  exec_timeout_s: number;
  /** The most a create's `limits` (plans with overrides) and an exec's `timeout_s` may ask for. */
  max_memory_mb: number;
  max_cpu: number;
  max_disk_mb: number;
  max_exec_timeout_s: number;
  max_file_mb: number;
  requests_per_min: number;
}

export const DEFAULT_SANDBOX_PLANS: Record<string, SandboxPlanConfig> = {
  free: { max_live: 10, max_ttl_s: 86_400, overrides: false, memory_mb: 1024, cpu: 0.25, disk_mb: 1024, exec_timeout_s: 30, max_memory_mb: 1024, max_cpu: 0.25, max_disk_mb: 1024, max_exec_timeout_s: 30, max_file_mb: 10, requests_per_min: 100 },
  paid: { max_live: 100, max_ttl_s: 604_800, overrides: true, memory_mb: 1024, cpu: 0.25, disk_mb: 1024, exec_timeout_s: 30, max_memory_mb: 4096, max_cpu: 1, max_disk_mb: 5120, max_exec_timeout_s: 300, max_file_mb: 50, requests_per_min: 1000 },
};

/** Sandboxes' host-wide settings (`sandbox.*`): when they sleep, what they cost, how they are isolated. */
export interface SandboxConfig {
  /** No activity this long: its processes are frozen (`idle`). */
  idle_after_s: number;
  /** No activity this long: its processes end, its files stay (`deep_sleep`). */
  deep_sleep_after_s: number;
  rate_active_per_min: number;
  rate_idle_per_min: number;
  /** `none`: loopback only; `outbound`: outbound network through slirp4netns where the host has it. */
  network: 'none' | 'outbound';
  /** `namespaces` refuses to create sandboxes without them; `process` allows the weaker level. */
  isolation: 'namespaces' | 'process';
  /** The loopback port sandbox URLs are served on (`http://ses-….localhost:PORT/`); 0 = any free one. */
  web_port: number;
  plans?: Record<string, Partial<SandboxPlanConfig>>;
}

export const DEFAULT_SANDBOX: Omit<SandboxConfig, 'plans'> = {
  idle_after_s: 300,
  deep_sleep_after_s: 1800,
  rate_active_per_min: 0.1,
  rate_idle_per_min: 0.025,
  network: 'none',
  isolation: 'namespaces',
  web_port: 0,
};

export interface BrowsersConfig {
  /** Browsers the host runs at once; more creates queue. */
  max_concurrent: number;
  /** Absolute path of Chromium/Chrome; null: found on PATH. */
  executable: string | null;
  plans: Record<string, Partial<BrowserPlanConfig>>;
  /** Browsers kept launched ahead of time with fresh, empty profiles, for sessions that ask for nothing special. */
  warm: number;
  /** A session queued this long for a slot ends `failed` (queue_timeout). */
  queue_timeout_s: number;
  /** Absolute path of ffmpeg (recordings); null: found on PATH. */
  ffmpeg: string | null;
  /** Where saved profiles live (read at start); null: `browsers/profiles` under the state dir. */
  profile_dir: string | null;
}

export const DEFAULT_BROWSERS: BrowsersConfig = { max_concurrent: 8, executable: null, plans: {}, warm: 1, queue_timeout_s: 60, ffmpeg: null, profile_dir: null };

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
  /** Virtual boards carry 10 bits a byte at their set baud rate each way, as a real UART does (flashing figures). */
  virtual_pace?: boolean;
  /** What every virtual board gets after each session (as a board entry's on_end); null: nothing. */
  virtual_on_end?: OnEndConfig | null;
  /** HOST:PORT the daemon also serves on over TCP (API keys required); absent: Unix socket only. */
  listen?: string | null;
  /** Other fbay hosts this daemon mirrors sessions from (`fbay remote add`). */
  remotes?: Record<string, RemoteEntryConfig>;
  /** The remote commands use when no --remote is given; absent: this host. */
  default_remote?: string | null;
  /** PEM files for HTTPS/WSS on the TCP listener. */
  tls?: { cert?: string | null; key?: string | null };
  /** A coordinator: how long a joined host that dropped keeps its sessions before they end with host_lost. */
  host_grace_s: number;
  /** A board host: the coordinator it dials out to (`fbay daemon start --join`), its host key, a CA to trust. */
  join?: { url?: string | null; key?: string | null; ca?: string | null; sandboxes?: number };
  account: { tier: string; balance_credits?: number | null };
  tiers: Record<string, Partial<TierConfig>>;
  browsers: BrowsersConfig;
  sandbox?: Partial<SandboxConfig>;
  /** The dashboard: `fbay ui`'s loopback port (0 = any), and extra Host names a `--listen` dashboard answers to. */
  ui?: { port?: number; hosts?: string[] };
}

export const DEFAULT_CONFIG: FbayConfig = {
  virtual_boards: 2,
  idle_timeout_s: 30,
  board_grace_s: 5,
  host_grace_s: 30,
  boards: [],
  account: { tier: 'local' },
  tiers: {},
  browsers: DEFAULT_BROWSERS,
};

export const MAX_IDLE_TIMEOUT_S = 86_400;

/** Names an object has before anyone sets them (`constructor`, `toString`, `__proto__`…): never a tier or plan name. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/** A table's defaults with config overrides, plus any entry config adds (Scale and Enterprise are configurations). */
export function mergeTable<T extends object>(defaults: Record<string, T>, overrides: Record<string, Partial<T>> | undefined, base: T): Record<string, T> {
  const out: Record<string, T> = {};
  const extra = overrides ?? {};
  for (const name of new Set([...Object.keys(defaults), ...Object.keys(extra)])) {
    if (RESERVED_NAMES.has(name)) continue;
    out[name] = { ...(Object.hasOwn(defaults, name) ? defaults[name]! : base), ...(Object.hasOwn(extra, name) ? extra[name]! : {}) };
  }
  return out;
}

export function tierTable(config: FbayConfig): Record<string, TierConfig> {
  return mergeTable(DEFAULT_TIERS, config.tiers, DEFAULT_TIERS.top_up!);
}

export function browserPlanTable(config: FbayConfig): Record<string, BrowserPlanConfig> {
  return mergeTable(DEFAULT_BROWSER_PLANS, config.browsers?.plans, DEFAULT_BROWSER_PLANS.free!);
}

export function sandboxPlanTable(config: FbayConfig): Record<string, SandboxPlanConfig> {
  return mergeTable(DEFAULT_SANDBOX_PLANS, config.sandbox?.plans, DEFAULT_SANDBOX_PLANS.free!);
}
