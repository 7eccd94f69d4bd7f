// Turns the flags users type into API values, refusing bad ones with exit 2 and the value quoted (STYLE.md §8).
import { parseDuration } from '../shared/duration.js';
import { MAX_IDLE_TIMEOUT_S, parseListen } from '../shared/config-keys.js';
import { UserError } from '../shared/user-error.js';
import { BOARD_SESSION_STATES, type BoardSessionState, type CreateSessionRequest, type Metadata } from '../transport/protocol/api.js';
import { EXIT } from '../transport/protocol/errors.js';

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });

/** `--metadata k=v`, repeatable; the value may be empty or contain '='; a later key wins. */
export function parseMetadata(pairs: readonly string[]): Metadata {
  const out: Metadata = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--metadata must be KEY=VALUE; got '${pair}'.`, 'For example: --metadata ci_job=1234');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** `--idle-timeout DUR` → whole seconds. */
export function parseIdleTimeout(text: string): number {
  const ms = parseDuration(text, '--idle-timeout');
  if (ms < 1000 || ms % 1000 !== 0) {
    throw usage(`--idle-timeout must be a whole number of seconds (like 30s or 5m); got '${text}'.`);
  }
  if (ms / 1000 > MAX_IDLE_TIMEOUT_S) throw usage(`--idle-timeout must be at most ${MAX_IDLE_TIMEOUT_S / 3600}h; got '${text}'.`);
  return ms / 1000;
}

/** `--wait DUR` → the milliseconds the CLI waits, and `wait_s` for the API (whole seconds, rounded up). */
export function parseWait(text: string): { ms: number; seconds: number } {
  const ms = parseDuration(text, '--wait');
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
  const request: CreateSessionRequest = flags.board ? { board_type: flags.board } : { board_id: flags.boardId! };
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
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
}

/** `daemon start --listen HOST:PORT` reaches the daemon it spawns through FBAY_LISTEN. */
export function listenEnv(listen: string | undefined): Record<string, string> {
  if (listen === undefined) return {};
  if (!parseListen(listen)) throw usage(`--listen must be HOST:PORT, e.g. 0.0.0.0:7070 or 127.0.0.1:7070; got '${listen}'.`);
  return { FBAY_LISTEN: listen };
}

/** A number of credits typed on the command line (≥ 0). */
export function parseCredits(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(n)) throw usage(`${flag} must be a number of credits ≥ 0; got '${text}'.`);
  return n;
}
