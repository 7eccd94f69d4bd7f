// Every config key with its schema: one table for config.json (checked on read) and for `fbay config set` (text in).
import * as v from 'valibot';
import { RESERVED_NAMES } from './defaults.js';
import { badJoinUrl } from '../join-urls.js';

export interface KeySpec {
  /** Dotted path; NAME segments (tiers.NAME.…) match a table entry name. */
  pattern: RegExp;
  schema: v.GenericSchema;
  /** What `config set` turns the typed text into before the schema checks it. */
  text: (raw: string) => unknown;
  /** What values it takes, for messages: "an integer from 1 to 86400". */
  want: string;
  describe: string;
}

const NAME = '([a-z][a-z0-9_]{0,31})';
const none = (raw: string) => raw === 'none' || raw === 'null';
const int = (raw: string) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw);
const num = (raw: string) => (raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw);
const orNull = (parse: (raw: string) => unknown) => (raw: string) => (none(raw) ? null : parse(raw));
const bool = (raw: string) => (raw === 'true' ? true : raw === 'false' ? false : raw);

const json = (raw: string) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};
const offsetText = v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^(0x[0-9a-fA-F]+|\d+)$/))]);
const onEnd = v.union([
  v.strictObject({ flash: v.pipe(v.array(v.tuple([offsetText, v.pipe(v.string(), v.startsWith('/'), v.maxLength(4096))])), v.minLength(1)) }),
  v.strictObject({ erase: v.literal(true) }),
]);

const intIn = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const numIn = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
export const tableName = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,31}$/), v.check((s) => !RESERVED_NAMES.has(s), 'is a reserved name'));
const absolutePath = v.pipe(v.string(), v.startsWith('/'), v.maxLength(4096));

export function parseListen(raw: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  return m && port >= 0 && port <= 65535 ? { host: m[1] ?? m[2]!, port } : null;
}

const listen = v.pipe(v.string(), v.check((s) => parseListen(s) !== null, 'is not HOST:PORT'));
const remoteEntry = v.strictObject({ url: v.pipe(v.string(), v.check((s) => badJoinUrl(s) === null, 'is not an http(s) URL, or several separated by commas')), key: v.pipe(v.string(), v.regex(/^key_[A-Za-z0-9]{32}$/)), ca: v.optional(absolutePath) });
const remoteName = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/), v.check((s) => !RESERVED_NAMES.has(s), 'is a reserved name'));

const spec = (path: string, schema: v.GenericSchema, text: KeySpec['text'], want: string, describe: string): KeySpec => ({
  pattern: new RegExp(`^${path.replaceAll('.', '\\.').replaceAll('NAME', NAME)}$`),
  schema,
  text,
  want,
  describe,
});

export const KEY_SPECS: KeySpec[] = [
  spec('virtual_boards', intIn(0, 10_000), int, 'an integer from 0 to 10000', 'number of virtual boards the daemon hosts'),
  spec('idle_timeout_s', intIn(1, 86_400), int, 'an integer from 1 to 86400', 'default idle timeout of a session, seconds'),
  spec('board_grace_s', intIn(0, 300), int, 'an integer from 0 to 300', 'how long a session survives its board re-enumerating, seconds'),
  spec('virtual_pace', v.boolean(), bool, 'true or false', 'virtual boards run their serial line at the set baud rate (realistic flashing times)'),
  spec(
    'virtual_on_end',
    v.nullable(onEnd),
    orNull(json),
    'JSON: {"flash": [["0x10000", "/abs/app.bin"], ...]} or {"erase": true}, or \'none\'',
    'what every virtual board gets after each session before it is offered again',
  ),
  spec('listen', v.nullable(listen), orNull((s) => s), "HOST:PORT, e.g. 127.0.0.1:7070, or 'none'", "HOST:PORT to serve teammates on over TCP (API keys), or 'none'"),
  spec('tls.cert', v.nullable(absolutePath), orNull((s) => s), "an absolute path to a PEM file, or 'none'", 'PEM certificate for TLS on the TCP listener'),
  spec('tls.key', v.nullable(absolutePath), orNull((s) => s), "an absolute path to a PEM file, or 'none'", 'PEM private key for TLS on the TCP listener'),
  spec('host_grace_s', intIn(0, 3600), int, 'an integer from 0 to 3600', 'a coordinator: how long a joined host that dropped keeps its sessions (then host_lost), seconds'),
  spec('join.url', v.nullable(v.pipe(v.string(), v.check((s) => badJoinUrl(s) === null))), orNull((s) => s), "the coordinator's URL, wss://HOST:PORT (several separated by commas), or 'none'", 'a board host: the coordinator to dial out to (as `daemon start --join`); with several, the next is tried when one cannot be reached'),
  spec('join.key', v.nullable(v.pipe(v.string(), v.regex(/^key_[A-Za-z0-9]{32}$/))), orNull((s) => s), "a host key (key_…), or 'none'", 'a board host: its host key, made on the coordinator with `fbay keys create --host NAME`'),
  spec('join.ca', v.nullable(absolutePath), orNull((s) => s), "an absolute path to a PEM file, or 'none'", "a board host: a CA to trust for the coordinator's certificate (self-signed)"),
  spec('join.sandboxes', intIn(0, 1000), int, 'an integer from 0 to 1000', 'a board host: sandboxes it runs for its coordinator at once (0: it offers none)'),
  spec('default_remote', v.nullable(remoteName), orNull((s) => (s === 'local' ? null : s)), "a remote's name, or 'none'", 'the remote commands use when no --remote is given'),
  spec('account.tier', tableName, (s) => s, 'a tier name (free, top_up, team, pro, local, or one in tiers)', "the local owner account's tier"),
  spec('account.balance_credits', v.nullable(numIn(0, 1e9)), orNull(num), "a number of credits ≥ 0, or 'none'", "the local account's balance; 'none' = unmetered"),
  spec('tiers.NAME.max_concurrent', intIn(1, 10_000), int, 'an integer from 1 to 10000', 'board sessions live at once'),
  spec('tiers.NAME.max_session_s', v.nullable(intIn(1, 31_536_000)), orNull(int), "an integer from 1 to 31536000, or 'none'", "board session cap, seconds, or 'none'"),
  spec('tiers.NAME.initial_credits', v.nullable(numIn(0, 1e9)), orNull(num), "a number of credits ≥ 0, or 'none'", "starting credits, or 'none' (unmetered)"),
  spec('tiers.NAME.browser_plan', tableName, (s) => s, 'a browser plan name (free, builder, pro, scale, …)', 'the browser plan the tier gives'),
  spec('tiers.NAME.sandbox_plan', tableName, (s) => s, 'a sandbox plan name (free, paid, …)', 'the sandbox plan the tier gives'),
  spec('browsers.max_concurrent', intIn(1, 1000), int, 'an integer from 1 to 1000', 'browsers this host runs at once; more creates queue'),
  spec('browsers.executable', v.nullable(absolutePath), orNull((s) => s), "an absolute path to Chromium, or 'none' to search PATH", "Chromium to run; 'none' = search PATH"),
  spec('browsers.warm', intIn(0, 100), int, 'an integer from 0 to 100', 'browsers kept launched ahead of time for plain sessions (0 = none)'),
  spec('browsers.queue_timeout_s', intIn(1, 86_400), int, 'an integer from 1 to 86400', 'seconds a browser session may wait for a slot before it fails'),
  spec('browsers.ffmpeg', v.nullable(absolutePath), orNull((s) => s), "an absolute path to ffmpeg, or 'none' to search PATH", "ffmpeg for recordings; 'none' = search PATH"),
  spec('browsers.profile_dir', v.nullable(absolutePath), orNull((s) => s), "an absolute path, or 'none' for the state dir", 'where saved browser profiles live (read at start)'),
  spec('browsers.plans.NAME.max_concurrent', intIn(1, 10_000), int, 'an integer from 1 to 10000', 'concurrent browser sessions'),
  spec('browsers.plans.NAME.monthly_hours', v.nullable(numIn(0, 1e6)), orNull(num), "a number of hours ≥ 0, or 'none'", "browser hours a month, or 'none'"),
  spec('sandbox.plans.NAME.max_live', intIn(1, 100_000), int, 'an integer from 1 to 100000', 'sandboxes live at once (deep sleep does not count)'),
  spec('sandbox.plans.NAME.max_ttl_s', intIn(300, 31_536_000), int, 'an integer from 300 to 31536000', 'longest TTL, seconds'),
  spec('sandbox.plans.NAME.overrides', v.boolean(), bool, 'true or false', 'whether a create may set memory, CPU, disk and exec timeout'),
  spec('sandbox.plans.NAME.memory_mb', intIn(64, 1_048_576), int, 'an integer from 64 to 1048576', "a sandbox's memory when its create does not say, MB"),
  spec('sandbox.plans.NAME.max_memory_mb', intIn(64, 1_048_576), int, 'an integer from 64 to 1048576', 'the most memory a create may ask for, MB'),
  spec('sandbox.plans.NAME.cpu', numIn(0.01, 1024), num, 'a number of CPUs from 0.01 to 1024', "a sandbox's CPUs when its create does not say"),
  spec('sandbox.plans.NAME.max_cpu', numIn(0.01, 1024), num, 'a number of CPUs from 0.01 to 1024', 'the most CPUs a create may ask for'),
  spec('sandbox.plans.NAME.disk_mb', intIn(16, 16_777_216), int, 'an integer from 16 to 16777216', "a sandbox's /workspace size when its create does not say, MB"),
  spec('sandbox.plans.NAME.max_disk_mb', intIn(16, 16_777_216), int, 'an integer from 16 to 16777216', 'the largest /workspace a create may ask for, MB'),
  spec('sandbox.plans.NAME.exec_timeout_s', intIn(1, 86_400), int, 'an integer from 1 to 86400', "an exec's timeout when it does not say, seconds"),
  spec('sandbox.plans.NAME.max_exec_timeout_s', intIn(1, 86_400), int, 'an integer from 1 to 86400', 'the longest exec timeout a request may ask for, seconds'),
  spec('sandbox.plans.NAME.max_file_mb', intIn(1, 1024), int, 'an integer from 1 to 1024', 'the largest file the files API reads or writes, MB'),
  spec('sandbox.plans.NAME.requests_per_min', intIn(1, 1_000_000), int, 'an integer from 1 to 1000000', 'requests a minute an account may make on its sandboxes'),
  spec('sandbox.idle_after_s', intIn(1, 31_536_000), int, 'an integer from 1 to 31536000', 'no activity this long freezes a sandbox (idle), seconds'),
  spec('sandbox.deep_sleep_after_s', intIn(1, 31_536_000), int, 'an integer from 1 to 31536000', 'no activity this long ends its processes, files kept (deep_sleep), seconds'),
  spec('sandbox.rate_active_per_min', numIn(0, 1e6), num, 'a number of credits ≥ 0', 'credits a minute a sandbox costs while active'),
  spec('sandbox.rate_idle_per_min', numIn(0, 1e6), num, 'a number of credits ≥ 0', 'credits a minute a sandbox costs while idle (frozen); deep sleep costs nothing'),
  spec('sandbox.network', v.picklist(['none', 'outbound']), (s) => s, "'none' or 'outbound'", "sandboxes' network: loopback only, or outbound through slirp4netns (daemon restart)"),
  spec('sandbox.web_port', intIn(0, 65_535), int, 'a port from 0 to 65535 (0 = any free one)', 'the loopback port sandbox URLs are served on (daemon restart); 0 = any free one'),
  spec('sandbox.isolation', v.picklist(['namespaces', 'process']), (s) => s, "'namespaces' or 'process'", "'process' allows sandboxes without namespaces where the host refuses them (daemon restart)"),
  spec('ui.port', intIn(0, 65_535), int, 'a port from 0 to 65535 (0 = any free one)', 'the port `fbay ui` serves the dashboard on (127.0.0.1); 0 = any free one'),
  spec(
    'ui.hosts',
    v.array(v.pipe(v.string(), v.regex(/^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/))),
    (raw) => (raw === 'none' || raw === 'null' || raw === '' ? [] : raw.split(',').map((h) => h.trim().toLowerCase())),
    'host names, comma-separated, e.g. boards.lab.example',
    'more Host names a --listen dashboard answers to (comma-separated)',
  ),
  // Whole-value keys, written by their own commands (`fbay boards add`, `fbay remote add`) and checked there too.
  spec('boards', v.array(v.looseObject({ name: v.string(), type: v.string() })), () => undefined, 'a list of board entries (use `fbay boards add`)', 'board entries'),
  spec('remotes', v.record(remoteName, remoteEntry), () => undefined, 'remote entries (use `fbay remote add`)', 'remote hosts'),
];

/** Objects whose keys are config keys themselves, walked rather than checked whole. */
export const CONTAINERS = [/^account$/, /^tls$/, /^join$/, /^ui$/, /^tiers$/, /^tiers\.[^.]+$/, /^browsers$/, /^browsers\.plans$/, /^browsers\.plans\.[^.]+$/, /^sandbox$/, /^sandbox\.plans$/, /^sandbox\.plans\.[^.]+$/];

/** The spec of a dotted key, if it is one; a NAME segment that is a reserved name (`constructor`…) matches none. */
export function specFor(key: string): KeySpec | undefined {
  const spec = KEY_SPECS.find((k) => k.pattern.test(key));
  if (!spec) return undefined;
  const names = spec.pattern.exec(key)!.slice(1);
  return names.some((n) => n !== undefined && RESERVED_NAMES.has(n)) ? undefined : spec;
}

/** The schema's complaint about a value, or null when it passes. */
export function complaint(spec: KeySpec, value: unknown): string | null {
  const result = v.safeParse(spec.schema, value);
  return result.success ? null : (result.issues[0]?.message ?? 'invalid');
}
