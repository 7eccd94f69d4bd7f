// Turns the flags users type into API values, refusing bad ones with exit 2 and the value quoted (STYLE.md §8).
import { parseDuration } from '../shared/duration.js';
import { MAX_IDLE_TIMEOUT_S, parseListen } from '../shared/config-keys.js';
import { UserError } from '../shared/user-error.js';
import { badJoinUrl } from '../shared/join-urls.js';
import { BOARD_SESSION_STATES, SESSION_KINDS, type BoardSessionState, type CreateSessionRequest, type Metadata, type SessionKindName } from '../transport/protocol/api.js';
import { EXIT } from '../transport/protocol/errors.js';

export const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });

/** Metadata is at most this big as JSON (DESIGN §3); the daemon refuses more. */
export const MAX_METADATA_BYTES = 16 * 1024;
/** The longest board type or id the API takes. */
export const MAX_BOARD_NAME = 128;
/** The longest --wait: the daemon queues a create for at most a day. */
export const MAX_WAIT_S = 86_400;

/** `--metadata k=v`, repeatable; the value may be empty or contain '='; a later key wins. */
export function parseMetadata(pairs: readonly string[]): Metadata {
  const out: Metadata = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--metadata must be KEY=VALUE; got '${pair.slice(0, 80)}'.`, 'For example: --metadata ci_job=1234');
    Object.defineProperty(out, pair.slice(0, eq), { value: pair.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  const size = Buffer.byteLength(JSON.stringify(out));
  if (size > MAX_METADATA_BYTES) {
    throw usage(`--metadata comes to ${size} bytes as JSON; the limit is 16 KiB (16384 bytes).`, 'Keep metadata to short labels (a CI job id, a commit, a branch) and put anything bigger elsewhere, with a link to it here.');
  }
  return out;
}

/** `--board TYPE` and `--board-id ID`: a short word, as `fbay boards` lists them. */
export function parseBoardName(flag: '--board' | '--board-id', text: string): string {
  const what = flag === '--board' ? 'a board type, such as virtual or esp32-s3' : 'a board id, as `fbay boards` lists them';
  if (text.trim() === '') throw usage(`${flag} must be ${what}; got an empty value.`, 'See `fbay boards`.');
  if (text.length > MAX_BOARD_NAME) {
    throw usage(`${flag} must be ${what}, at most ${MAX_BOARD_NAME} characters long; got one of ${text.length} characters.`, 'See `fbay boards` for the types and ids this host has.');
  }
  return text;
}

/** `--idle-timeout DUR` → whole seconds. */
export function parseIdleTimeout(text: string): number {
  const ms = parseDuration(text, '--idle-timeout');
  const what = 'It is how long the session stays reserved with no serial client attached, e.g. --idle-timeout 30s (the default) or 10m.';
  if (ms < 1000) throw usage(`--idle-timeout must be at least 1s; got '${text}'.`, what);
  if (ms % 1000 !== 0) {
    throw usage(`--idle-timeout must be a whole number of seconds (like 30s or 5m); got '${text}'.`, what);
  }
  if (ms / 1000 > MAX_IDLE_TIMEOUT_S) throw usage(`--idle-timeout must be at most ${MAX_IDLE_TIMEOUT_S / 3600}h; got '${text}'.`);
  return ms / 1000;
}

/** `--wait DUR` → the milliseconds the CLI waits, and `wait_s` for the API (whole seconds, rounded up). */
export function parseWait(text: string): { ms: number; seconds: number } {
  const ms = parseDuration(text, '--wait');
  if (ms > MAX_WAIT_S * 1000) throw usage(`--wait must be at most 24h; got '${text}'.`, 'For example: --wait 5m queues for a board for up to five minutes.');
  return { ms, seconds: Math.ceil(ms / 1000) };
}

export function parseMaxCredits(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(n > 0)) throw usage(`--max-credits must be a positive number; got '${text}'.`);
  return n;
}

export function parseState(text: string): BoardSessionState {
  if ((BOARD_SESSION_STATES as readonly string[]).includes(text)) return text as BoardSessionState;
  throw usage(`--state must be one of ${BOARD_SESSION_STATES.join(', ')}; got '${text}'.`);
}

/** `session list --kind K`: the kinds are the API's, so a new kind needs no change here. */
export function parseKind(text: string): SessionKindName {
  if ((SESSION_KINDS as readonly string[]).includes(text)) return text as SessionKindName;
  throw usage(`--kind must be one of ${SESSION_KINDS.join(', ')}; got '${text}'.`, `For example: fbay session list --kind ${SESSION_KINDS.at(-1)}`);
}

export interface CreateFlags {
  board?: string;
  boardId?: string;
  wait?: string;
  idleTimeout?: string;
  maxCredits?: string;
  metadata?: string[];
}

/** The flags of `session create` → the request body, and how long to wait for a board (when --wait). */
export function createRequest(flags: CreateFlags): { request: CreateSessionRequest; waitMs: number | null } {
  if (!flags.board === !flags.boardId) {
    throw usage('Give exactly one of --board TYPE or --board-id ID.', 'For example: fbay session create --board virtual');
  }
  const request: CreateSessionRequest = flags.board ? { board_type: parseBoardName('--board', flags.board) } : { board_id: parseBoardName('--board-id', flags.boardId!) };
  let waitMs: number | null = null;
  if (flags.wait !== undefined) {
    const wait = parseWait(flags.wait);
    request.wait_s = wait.seconds;
    waitMs = wait.ms;
  }
  if (flags.idleTimeout !== undefined) request.idle_timeout_s = parseIdleTimeout(flags.idleTimeout);
  if (flags.maxCredits !== undefined) request.max_credits = parseMaxCredits(flags.maxCredits);
  if (flags.metadata && flags.metadata.length > 0) request.metadata = parseMetadata(flags.metadata);
  return { request, waitMs };
}

export interface BoardAddFlags {
  path?: string;
  serialNumber?: string;
  type: string;
  name?: string;
  baud?: string;
  rate?: string;
  resetHard?: string;
  resetBootloader?: string;
  /** The type is meant to be new, not a typo of a known one. */
  newType?: boolean;
}

/** `fbay boards add` flags → a board entry; the daemon validates the rest (type, path, sequences) against the list. */
export function boardEntry(flags: BoardAddFlags): Record<string, unknown> {
  if ((flags.path === undefined) === (flags.serialNumber === undefined)) {
    throw usage('Give exactly one of --path or --serial-number to find the board by.', 'e.g. fbay boards add --path /dev/ttyACM0 --type esp32-s3');
  }
  const number = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw usage(`${flag} must be a number; got '${text}'.`);
    return n;
  };
  const entry: Record<string, unknown> = {
    type: flags.type,
    name: flags.name,
    path: flags.path,
    serial_number: flags.serialNumber,
    baud: number('--baud', flags.baud),
    rate_credits_per_min: number('--rate', flags.rate),
    reset_hard: flags.resetHard,
    reset_bootloader: flags.resetBootloader,
    new_type: flags.newType === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
}

/** `daemon start --listen HOST:PORT` reaches the daemon it spawns through FBAY_LISTEN. */
export function listenEnv(listen: string | undefined): Record<string, string> {
  if (listen === undefined) return {};
  if (!parseListen(listen)) throw usage(`--listen must be HOST:PORT, e.g. 0.0.0.0:7070 or 127.0.0.1:7070; got '${listen}'.`);
  return { FBAY_LISTEN: listen };
}

/** `--store postgres://…` for the daemon it starts (FBAY_STORE). */
export function storeEnv(store: string | undefined): Record<string, string> {
  if (store === undefined) return {};
  if (!/^postgres(ql)?:\/\//.test(store)) throw usage(`--store must be a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE); got '${store}'.`);
  return { FBAY_STORE: store };
}

/** A number of credits typed on the command line (≥ 0). */
export function parseCredits(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(n)) throw usage(`${flag} must be a number of credits ≥ 0; got '${text}'.`);
  return n;
}

/** `fbay session update`'s flags as a PATCH body; at least one is needed. */
export function updateRequest(flags: { idleTimeout?: string; maxCredits?: string }): { idle_timeout_s?: number; max_credits?: number | null } {
  if (flags.idleTimeout === undefined && flags.maxCredits === undefined) {
    throw new UserError('Give --idle-timeout DUR or --max-credits N (or both) to change.', { exit: EXIT.usage, code: 'usage', next: 'fbay session update --idle-timeout 10m' });
  }
  return {
    ...(flags.idleTimeout === undefined ? {} : { idle_timeout_s: parseIdleTimeout(flags.idleTimeout) }),
    ...(flags.maxCredits === undefined ? {} : { max_credits: flags.maxCredits === 'none' ? null : parseMaxCredits(flags.maxCredits) }),
  };
}

/** `keys create`: a user's key (--name) or a board host's (--host), never both; a host key takes no tier or credits. */
export function keyKind(flags: { name?: string; host?: string; metrics?: string; tier?: string; credits?: string }): 'user' | 'host' | 'metrics' {
  if ([flags.name, flags.host, flags.metrics].filter((f) => f !== undefined).length !== 1) {
    throw usage(
      "Give --name NAME for a user's key, --host NAME for a board host's key, or --metrics NAME for a key that only reads /metrics (one of them).",
      'fbay keys create --name alice   or   fbay keys create --host lab1',
    );
  }
  if (flags.host !== undefined && (flags.tier !== undefined || flags.credits !== undefined)) {
    throw usage('A host key has no tier and no credits: the sessions on its boards are charged to their users.', `fbay keys create --host ${flags.host}`);
  }
  return flags.host !== undefined ? 'host' : flags.metrics !== undefined ? 'metrics' : 'user';
}

/** `daemon start --join URL --key K [--ca FILE]` as the daemon's environment. */
export function joinEnv(flags: { join?: string; key?: string; ca?: string }): Record<string, string> {
  if (flags.join === undefined) {
    if (flags.key !== undefined || flags.ca !== undefined) throw usage('--key and --ca go with --join URL.', 'fbay daemon start --join wss://coordinator:7070 --key key_…');
    return {};
  }
  const bad = badJoinUrl(flags.join);
  if (bad !== null) {
    throw usage(
      `--join must be the coordinator's URL, wss://HOST:PORT (or ws:// without TLS), or several separated by commas; got '${(bad || flags.join).slice(0, 200)}'.`,
      'fbay daemon start --join wss://coordinator.example:7070 --key key_…',
    );
  }
  if (flags.key === undefined || !/^key_[A-Za-z0-9]{32}$/.test(flags.key)) {
    throw usage(`--join needs --key with a host key (key_ and 32 letters and digits)${flags.key === undefined ? '' : `; got '${flags.key.slice(0, 12)}…'`}.`, 'Make one on the coordinator with `fbay keys create --host NAME`.');
  }
  return { FBAY_JOIN: flags.join, FBAY_JOIN_KEY: flags.key, ...(flags.ca === undefined ? {} : { FBAY_JOIN_CA: flags.ca }) };
}
