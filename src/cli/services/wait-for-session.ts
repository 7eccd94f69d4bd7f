// Waits for a session to reach a state: subscribe to its events first, then read its state, so no change slips between.
// When the daemon goes away (`fbay daemon restart`), it subscribes again with backoff and reads the state again.
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import { formatDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import type { Session } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { backoffDelay } from '../../transport/reconnect/backoff.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { subscribeEvents, type EventStream } from '../client/events.js';

export interface WaitOutcome {
  /** false: the session ended before it got there. */
  reached: boolean;
  session: Session;
}

export interface WaitOptions {
  /** No timeout when absent. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** For messages: what is being waited for, e.g. "to be active". */
  goal: string;
  /** One line for stderr when the daemon goes away and when it is back. */
  warn?: ((line: string) => void) | undefined;
  clock?: Clock;
  random?: () => number;
  /** How long a daemon that went away is waited for (default: the session's idle window, at least 5 s). */
  windowMs?: number;
}

/** The daemon is gone or going: worth subscribing again. Anything else (a 404, a version mismatch) is an answer. */
const isGone = (err: unknown) => err instanceof UserError && err.exit === EXIT.daemon_unavailable;

export async function waitForSession(client: DaemonClient, id: string, reached: (session: Session) => boolean, options: WaitOptions): Promise<WaitOutcome> {
  const { timeoutMs, signal, goal, warn, clock = systemClock, random = Math.random } = options;
  if (signal?.aborted) throw interrupted();
  const first = await subscribeEvents(client, id);
  const quiet = client.withoutAutoStart();
  const path = `/v1/sessions/${encodeURIComponent(id)}`;
  return new Promise<WaitOutcome>((resolve, reject) => {
    let stream: EventStream | null = first;
    let last: Session | null = null;
    let done = false;
    let outage: { deadline: number; windowMs: number } | null = null;
    let retries = 0;
    const timers: { timeout?: TimerHandle; retry?: TimerHandle } = {};
    const finish = (outcome: WaitOutcome | Error) => {
      if (done) return;
      done = true;
      for (const t of Object.values(timers)) if (t !== undefined) clock.clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      stream?.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const check = (session: Session) => {
      if (session.id !== id) return;
      last = session;
      if (reached(session)) finish({ reached: true, session });
      else if (session.state === 'ended') finish({ reached: false, session });
    };
    const listen = (s: EventStream) => {
      s.onEvent((event) => {
        if (event.type === 'state') check(event.session as Session);
        else if (event.type === 'ended') check((event.session as Session | undefined) ?? ({ ...(last ?? { id }), state: 'ended', end_reason: event.reason } as Session));
      });
      s.onEnd(() => stream === s && lost());
      // Read after subscribing: a change between the two is seen either way.
      (s === first ? client : quiet).get<Session>(path).then(check, (err: unknown) => (isGone(err) ? stream === s && lost() : finish(err as Error)));
    };
    const lost = () => {
      if (done) return;
      stream?.close();
      stream = null;
      if (outage === null) {
        const windowMs = options.windowMs ?? Math.max(5000, ((last as Session | null)?.idle_timeout_s ?? 30) * 1000);
        outage = { deadline: clock.now() + windowMs, windowMs };
        retries = 0;
        warn?.(`lost the daemon while waiting for ${id} ${goal}; trying to reach it again for up to ${formatDuration(windowMs)}…`);
      }
      retry();
    };
    const retry = () => {
      const left = outage!.deadline - clock.now();
      if (left <= 0) return finish(daemonGone(id, goal, outage!.windowMs));
      timers.retry = clock.setTimeout(() => void attempt(), Math.min(left, backoffDelay(++retries, 200, 1000, random)));
    };
    const attempt = async () => {
      timers.retry = undefined;
      try {
        const s = await subscribeEvents(quiet, id);
        if (done) return s.close();
        stream = s;
        outage = null;
        warn?.(`the daemon is back; still waiting for ${id} ${goal}.`);
        listen(s);
      } catch (err) {
        if (done) return;
        if (isGone(err)) retry();
        else finish(err as Error);
      }
    };
    if (timeoutMs !== undefined) {
      timers.timeout = clock.setTimeout(() => {
        const now = last ? ` (it is ${(last as Session).state})` : '';
        finish(
          new UserError(`Timed out after ${formatDuration(timeoutMs)} waiting for ${id} ${goal}${now}.`, {
            exit: EXIT.timeout,
            code: 'timeout',
            next: 'Wait longer with --timeout, or see `fbay session show`.',
          }),
        );
      }, timeoutMs);
    }
    const onAbort = () => finish(interrupted());
    // Ctrl-C may have come while we were subscribing.
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    listen(first);
  });
}

function daemonGone(id: string, goal: string, windowMs: number): UserError {
  return new UserError(`Lost the fbay daemon while waiting for ${id} ${goal}, and it did not come back within ${formatDuration(windowMs)}.`, {
    exit: EXIT.daemon_unavailable,
    code: 'daemon_unavailable',
    next: 'See `fbay daemon status` and `fbay daemon logs`.',
  });
}
