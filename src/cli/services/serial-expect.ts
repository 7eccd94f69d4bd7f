// `fbay serial expect`: reads serial output until a regular expression matches it, the time runs out or the session
// ends; the output is followed over the reconnecting link, so a daemon restart in between changes nothing.
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import { formatDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { interrupted } from '../client/daemon-errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { ExpectMatcher, type Match, type MatcherOptions } from './expect-matcher.js';
import { followSession, type Following, type FollowOptions } from './serial-follow.js';
import { currentOffset } from './serial-log.js';
import { targetSession } from './serial-session.js';
import { decodeUtf8 } from './utf8-decoder.js';

/** Flags that change what matches; `g`, `y` and `d` only change how exec() reports, so they are refused. */
const ALLOWED_FLAGS = /^[imsuv]*$/;
/** Text that trickles in is matched at most this long after it came (the regex runs once per batch, not per byte). */
const SCAN_DELAY_MS = 20;

/** REGEX (JavaScript syntax) and --flags → a RegExp; a bad one is a usage error quoting it. */
export function compileRegex(source: string, flags = ''): RegExp {
  if (!ALLOWED_FLAGS.test(flags)) {
    throw new UserError(`--flags takes i, m, s, u or v; got '${flags}'.`, {
      exit: EXIT.usage,
      code: 'usage',
      next: 'i ignores case, m makes ^ and $ match at line ends, s lets . match newlines, u and v read the pattern as Unicode (g, y and d do not apply: expect waits for the first match). For example: --flags im',
    });
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

/** `seen`: the output bytes read, up to the end of the match (or all of them). */
export type ExpectOutcome =
  | { status: 'matched'; match: RegExpExecArray; seen: Buffer; offset: number }
  | { status: 'timeout'; seen: Buffer; offset: number }
  | { status: 'ended'; reason: string; seen: Buffer; offset: number };

/** Where the output comes from: started with the handlers; its `done` resolves when the session ends. */
export type OutputSource = (handlers: Pick<FollowOptions, 'onData' | 'onGap'>) => Promise<Pick<Following, 'done' | 'stop'>>;

export interface ExpectOptions {
  timeoutMs: number;
  /** Output offset of the first byte the source delivers. */
  base: number;
  signal?: AbortSignal | undefined;
  /** Bytes the daemon could not deliver (a `gap`); told so the user knows the text is not whole. */
  onGap?: (lostBytes: number) => void;
  clock?: Clock;
  matcher?: MatcherOptions;
}

/** Reads the source until `regex` matches; stops it before returning. */
export async function expectOutput(start: OutputSource, regex: RegExp, options: ExpectOptions): Promise<ExpectOutcome> {
  const clock = options.clock ?? systemClock;
  const matcher = new ExpectMatcher(regex, options.matcher);
  let lost = 0;
  const timers: { scan?: TimerHandle; timeout?: TimerHandle } = {};
  let done = false;
  let finish!: (outcome: ExpectOutcome | Error) => void;
  const finished = new Promise<ExpectOutcome>((resolve, reject) => {
    finish = (outcome) => {
      if (done) return;
      done = true;
      for (const t of Object.values(timers)) if (t !== undefined) clock.clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
  });
  const onAbort = () => finish(interrupted());
  const seen = () => ({ seen: matcher.seenBytes, offset: options.base + lost + matcher.seenByteCount });
  const matched = (m: Match | null): boolean => {
    if (m) finish({ status: 'matched', match: m.match, ...seen() });
    return done;
  };
  if (options.signal?.aborted) throw interrupted();
  if (matched(matcher.scan())) return finished;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  timers.timeout = clock.setTimeout(() => {
    if (!matched(matcher.gap())) finish({ status: 'timeout', ...seen() });
  }, options.timeoutMs);

  let source: Awaited<ReturnType<OutputSource>> | null = null;
  try {
    source = await start({
      onData: (chunk) => {
        if (done || matched(matcher.push(chunk)) || !matcher.pending || timers.scan !== undefined) return;
        timers.scan = clock.setTimeout(() => {
          timers.scan = undefined;
          if (!done) matched(matcher.scan());
        }, SCAN_DELAY_MS);
      },
      onGap: (n) => {
        if (done || matched(matcher.gap())) return;
        lost += n;
        options.onGap?.(n);
      },
    });
    void source.done.then(
      (end) => {
        if (end.kind === 'ended' && !matched(matcher.gap())) finish({ status: 'ended', reason: end.reason, ...seen() });
      },
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );
  } catch (err) {
    finish(err instanceof Error ? err : new Error(String(err)));
  }
  try {
    return await finished;
  } finally {
    await source?.stop();
  }
}

export interface ExpectRequest {
  regex: RegExp;
  timeoutMs: number;
  /** Read from this offset; absent: from the end of the output now (live). */
  since?: number | undefined;
  signal?: AbortSignal | undefined;
  onGap?: (lostBytes: number) => void;
  /** One line for stderr: reconnecting, reconnected. */
  warn?: (line: string) => void;
}

/** Follows the session's output from a known offset and waits for the match. */
export async function expectInSession(client: DaemonClient, id: string | undefined, request: ExpectRequest): Promise<ExpectOutcome> {
  const session = await targetSession(client, id, 'fbay serial expect ID REGEX');
  // "Live" is opened as since=<end now>, so the outcome can say at which offset the match ends.
  const base = request.since ?? (await currentOffset(client, session.id));
  const source: OutputSource = (handlers) => followSession(client, session, { since: base, ...handlers, warn: request.warn, signal: request.signal });
  return expectOutput(source, request.regex, { timeoutMs: request.timeoutMs, base, signal: request.signal, onGap: request.onGap });
}

/** The `--json` object: what scripts read (`seen` as UTF-8 text). */
export function expectJson(outcome: ExpectOutcome): { matched: boolean; match: string | null; groups: (string | null)[]; offset: number; seen: string } {
  const match = outcome.status === 'matched' ? outcome.match : null;
  return {
    matched: match !== null,
    match: match ? match[0] : null,
    groups: match ? match.slice(1).map((g) => g ?? null) : [],
    offset: outcome.offset,
    seen: decodeUtf8(outcome.seen),
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

/** The daemon closed a serial connection that was not going to come back (the bridge does not reconnect). */
export function lostConnection(code: number, reason: string): UserError {
  const why = `${code}${reason ? ` ${reason}` : ''}`;
  return new UserError(`The daemon closed the serial connection (${why}).`, {
    exit: code === 1001 ? EXIT.daemon_unavailable : EXIT.error,
    code: 'serial_closed',
    next: 'See `fbay session show` and `fbay daemon logs`.',
  });
}
