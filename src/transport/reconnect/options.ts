// The reconnecting WebSocket's options, states and event payloads, with the defaults filled in and checked.
import type { ClientOptions } from 'ws';
import { systemClock, type Clock } from '../../shared/clock.js';
import { defaultRetryable, type ReconnectError } from './retry-policy.js';

/**
 * `connecting` until the first connection opens, `open`, `reconnecting` after a drop until open again, and
 * `closed` before `start()` and for good once it ended (deadline, `close()`, or a failure not worth retrying).
 */
export type ReconnectState = 'connecting' | 'open' | 'reconnecting' | 'closed';
export type ClosedReason = 'deadline' | 'stopped' | 'fatal';

export interface StateInfo {
  /** While connecting/reconnecting: when trying stops (clock ms). */
  deadline?: number;
  /** On `open`: how many tries this connection took. */
  attempt?: number;
  /** On `reconnecting`: why the connection was lost; on `closed`: the ClosedReason. */
  reason?: string;
}

export interface RetryInfo {
  /** The number of the coming try within this outage (1 for the first after a drop). */
  attempt: number;
  delayMs: number;
  deadline: number;
  /** Why the last try failed, or why the connection dropped. */
  error: ReconnectError;
}

export interface ReconnectingWebSocketOptions {
  /** Called before every try: lets the owner resume, e.g. `…/serial?since=<last offset>`. */
  url: () => string;
  /** Called before every try, e.g. `{ Authorization: 'Bearer key_…' }`; merged over wsOptions.headers. */
  headers?: () => Record<string, string>;
  /** Retry n waits uniformly in [0, min(maxDelayMs, initialDelayMs·2^(n-1))): the first under 200 ms by default. */
  initialDelayMs?: number;
  /** Default 1000: once a cut ends, it is noticed within about a second. */
  maxDelayMs?: number;
  /** Ping every pingIntervalMs (default 5000); nothing heard for deadAfterMs (default 10000) → dead, reconnect. */
  pingIntervalMs?: number;
  deadAfterMs?: number;
  /** How long to keep trying after a drop (and for the first connection) before giving up with 'deadline'; a
   *  function is read at the start of each outage (a console's window is its session's idle timeout, which may change). */
  reconnectWindowMs: number | (() => number);
  /** A single try that has not opened by then is abandoned and retried (default 5000). */
  connectTimeoutMs?: number;
  /** Whether a failure is worth another try; false ends with 'fatal'. Default: defaultRetryable. */
  retryable?: (err: ReconnectError) => boolean;
  clock?: Clock;
  /** [0, 1) like Math.random; injectable for tests. */
  random?: () => number;
  /** Passed to `new WebSocket(url, options)` (maxPayload, agent, ca…); perMessageDeflate is off unless set here. */
  wsOptions?: ClientOptions;
}

export type ResolvedOptions = Required<Omit<ReconnectingWebSocketOptions, 'headers' | 'wsOptions'>> &
  Pick<ReconnectingWebSocketOptions, 'headers' | 'wsOptions'>;

const DEFAULTS = {
  initialDelayMs: 200,
  maxDelayMs: 1000,
  pingIntervalMs: 5000,
  deadAfterMs: 10_000,
  connectTimeoutMs: 5000,
  retryable: defaultRetryable,
  clock: systemClock,
  random: Math.random,
};

const DURATIONS = ['reconnectWindowMs', 'initialDelayMs', 'maxDelayMs', 'pingIntervalMs', 'deadAfterMs', 'connectTimeoutMs'] as const;

export function resolveOptions(options: ReconnectingWebSocketOptions): ResolvedOptions {
  // An option passed as undefined keeps its default.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved = { ...DEFAULTS, ...given } as ResolvedOptions;
  for (const key of DURATIONS) {
    const value = resolved[key];
    if (typeof value === 'function') continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`ReconnectingWebSocket: ${key} must be a positive number of ms, got ${value}`);
    }
  }
  return resolved;
}

/** The window of an outage that starts now: the fixed one, or what the owner's function says (at least 1 ms). */
export function windowOf(options: ResolvedOptions): number {
  const w = options.reconnectWindowMs;
  const ms = typeof w === 'function' ? w() : w;
  return Number.isFinite(ms) && ms > 0 ? ms : 1;
}
