// `fbay serial expect`: reads serial output until a regular expression matches it, the time runs out or the session ends.
import { formatDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { interrupted } from '../client/daemon-errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import type { SerialConnection } from '../client/serial-socket.js';
import { currentOffset } from './serial-log.js';
import { openSerial, targetSession } from './serial-session.js';

/** Flags that change what matches; `g`, `y` and `d` only change how exec() reports, so they are refused. */
const ALLOWED_FLAGS = /^[imsuv]*$/;

/** REGEX (JavaScript syntax) and --flags → a RegExp; a bad one is a usage error quoting it. */
export function compileRegex(source: string, flags = ''): RegExp {
  if (!ALLOWED_FLAGS.test(flags)) {
    throw new UserError(`--flags takes i, m, s, u or v; got '${flags}'.`, { exit: EXIT.usage, code: 'usage' });
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new UserError(`REGEX '${source}' is not a valid JavaScript regular expression (${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}).`, {
      exit: EXIT.usage,
      code: 'usage',
      next: "Quote it for the shell, e.g. fbay serial expect 'ready>\\s*$'.",
      cause: err,
    });
  }
}

/**
 * Output as text, one char per byte (latin1), so any byte stream can be matched and offsets are byte offsets. Every
 * chunk re-runs the regex over everything seen, because a match may span chunk boundaries and start anywhere.
 */
export class ExpectMatcher {
  #text = '';
  #match: RegExpExecArray | null = null;

  constructor(private readonly regex: RegExp) {}

  /** Adds output; returns the match once there is one (and ignores output after it). */
  push(chunk: Uint8Array): RegExpExecArray | null {
    if (this.#match) return this.#match;
    this.#text += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    this.#match = this.regex.exec(this.#text);
    return this.#match;
  }

  /** An empty pattern (or one like `x*`) matches before any output. */
  check(): RegExpExecArray | null {
    this.#match ??= this.regex.exec(this.#text);
    return this.#match;
  }

  /** Output up to and including the match, or all of it while there is none. */
  get seen(): string {
    return this.#match ? this.#text.slice(0, this.#match.index + this.#match[0].length) : this.#text;
  }
}

export type ExpectOutcome =
  | { status: 'matched'; match: RegExpExecArray; seen: string; offset: number }
  | { status: 'timeout'; seen: string; offset: number }
  | { status: 'ended'; reason: string; seen: string; offset: number };

export interface ExpectOptions {
  timeoutMs: number;
  /** Output offset of the first byte the connection delivers (what it was opened with). */
  base: number;
  signal?: AbortSignal | undefined;
  /** Bytes the daemon could not deliver (a `gap`); told so the user knows the text is not whole. */
  onGap?: (lostBytes: number) => void;
}

/** Reads `connection` until `regex` matches; closes it before returning. */
export function expectOutput(connection: SerialConnection, regex: RegExp, options: ExpectOptions): Promise<ExpectOutcome> {
  const matcher = new ExpectMatcher(regex);
  let lost = 0;
  const offset = () => options.base + lost + matcher.seen.length;
  return new Promise<ExpectOutcome>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: ExpectOutcome | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      connection.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = () => finish(interrupted());
    const matched = (match: RegExpExecArray | null) => {
      if (match) finish({ status: 'matched', match, seen: matcher.seen, offset: offset() });
      return match !== null;
    };
    if (options.signal?.aborted) return onAbort();
    if (matched(matcher.check())) return;
    options.signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish({ status: 'timeout', seen: matcher.seen, offset: offset() }), options.timeoutMs);
    connection.listen((event) => {
      if (done) return;
      if (event.type === 'data') matched(matcher.push(event.chunk));
      else if (event.type === 'closed') finish(lostConnection(event.code, event.reason));
      else if (event.message.type === 'ended') finish({ status: 'ended', reason: event.message.reason, seen: matcher.seen, offset: offset() });
      else if (event.message.type === 'gap') {
        lost += event.message.lost_bytes;
        options.onGap?.(event.message.lost_bytes);
      }
    });
  });
}

/** The daemon closed the serial line without saying the session ended: it is stopping, or the port went away. */
export function lostConnection(code: number, reason: string): UserError {
  const why = `${code}${reason ? ` ${reason}` : ''}`;
  return new UserError(`The daemon closed the serial connection (${why}).`, {
    exit: code === 1001 ? EXIT.daemon_unavailable : EXIT.error,
    code: 'serial_closed',
    next: 'See `fbay session show` and `fbay daemon logs`.',
  });
}

export interface ExpectRequest {
  regex: RegExp;
  timeoutMs: number;
  /** Read from this offset; absent: from the end of the output now (live). */
  since?: number | undefined;
  signal?: AbortSignal | undefined;
  onGap?: (lostBytes: number) => void;
}

/** Opens the session's serial line at a known offset and waits for the match. */
export async function expectInSession(client: DaemonClient, id: string | undefined, request: ExpectRequest): Promise<ExpectOutcome> {
  const session = await targetSession(client, id);
  // "Live" is opened as since=<end now>, so the outcome can say at which offset the match ends.
  const base = request.since ?? (await currentOffset(client, session.id));
  const connection = await openSerial(session, { since: base, signal: request.signal });
  return expectOutput(connection, request.regex, { timeoutMs: request.timeoutMs, base, signal: request.signal, onGap: request.onGap });
}

/** The `--json` object: what scripts read. */
export function expectJson(outcome: ExpectOutcome): { matched: boolean; match: string | null; groups: (string | null)[]; offset: number; seen: string } {
  const match = outcome.status === 'matched' ? outcome.match : null;
  return {
    matched: match !== null,
    match: match ? match[0] : null,
    groups: match ? match.slice(1).map((g) => g ?? null) : [],
    offset: outcome.offset,
    seen: outcome.seen,
  };
}

/** Why an outcome is not a match, as the error the CLI exits with: 8 for the timeout, 1 for a session that ended. */
export function notMatched(outcome: Exclude<ExpectOutcome, { status: 'matched' }>, regex: RegExp, timeoutMs: number): UserError {
  if (outcome.status === 'timeout') {
    return new UserError(`Timed out after ${formatDuration(timeoutMs)} waiting for output matching ${regex}; ${outcome.seen.length} bytes seen.`, {
      exit: EXIT.timeout,
      code: 'timeout',
      next: 'Wait longer with --timeout, or look at the whole output with `fbay serial cat`.',
    });
  }
  return new UserError(`The session ended (${outcome.reason}) before output matched ${regex}.`, {
    code: 'session_ended',
    next: 'See `fbay session show` for why.',
  });
}
