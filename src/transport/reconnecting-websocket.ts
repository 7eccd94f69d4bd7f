// One WebSocket that outlives network drops: backoff with jitter, a heartbeat and a reconnect deadline (STYLE.md §6).
import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import { backoffDelay } from './reconnect/backoff.js';
import { Heartbeat } from './reconnect/heartbeat.js';
import type { TimerHandle } from '../shared/clock.js';
import {
  resolveOptions,
  type ClosedReason,
  type ReconnectingWebSocketOptions,
  type ReconnectState,
  type ResolvedOptions,
  type RetryInfo,
  type StateInfo,
  windowOf,
} from './reconnect/options.js';
import { handshakeRefused, type ReconnectError } from './reconnect/retry-policy.js';

export type { Clock } from '../shared/clock.js';
export type { ClosedReason, ReconnectingWebSocketOptions, ReconnectState, RetryInfo, StateInfo } from './reconnect/options.js';
export { defaultRetryable, type ReconnectError } from './reconnect/retry-policy.js';

export interface ReconnectingWebSocketEvents {
  state: [state: ReconnectState, info: StateInfo];
  open: [ws: WebSocket];
  message: [data: Buffer, isBinary: boolean];
  retry: [info: RetryInfo];
  closed: [reason: ClosedReason, err?: ReconnectError];
}

type TimerName = 'deadline' | 'backoff' | 'connect';

const asError = (err: unknown): ReconnectError => (err instanceof Error ? err : new Error(String(err)));
const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

/**
 * Events: 'state' on every transition; 'open' (ws) for each new connection; 'message' (data, isBinary) for every
 * frame; 'retry' (info) when a try is scheduled; 'closed' (reason, err) once, at the end. Once closed, no timer of
 * its own is left running (ws may still finish a polite closing handshake on its own timer).
 */
export class ReconnectingWebSocket extends EventEmitter<ReconnectingWebSocketEvents> {
  readonly #o: ResolvedOptions;
  readonly #heartbeat: Heartbeat;
  #state: ReconnectState = 'closed';
  #started = false;
  #ended = false;
  /** The socket of the current try or connection; events from any other socket are stale and ignored. */
  #ws: WebSocket | null = null;
  #controller: AbortController | null = null;
  #outage: { since: number; deadline: number } | null = null;
  #tries = 0;
  #retries = 0;
  #lastError: ReconnectError | undefined;
  /** deadline: end of the outage's window; backoff: wait before the next try; connect: the current try's timeout. */
  readonly #timers: Partial<Record<TimerName, TimerHandle>> = {};

  constructor(options: ReconnectingWebSocketOptions) {
    super();
    this.#o = resolveOptions(options);
    const { clock, pingIntervalMs, deadAfterMs } = this.#o;
    this.#heartbeat = new Heartbeat(clock, pingIntervalMs, deadAfterMs, () => this.#ping(), () =>
      this.#lose(new Error(`no frame or pong for ${deadAfterMs} ms (heartbeat)`), true),
    );
  }

  get state(): ReconnectState {
    return this.#state;
  }

  /** While connecting or reconnecting: when the outage started and when trying stops. */
  get outage(): { since: number; deadline: number } | null {
    return this.#outage && { ...this.#outage };
  }

  start(): void {
    if (this.#started || this.#ended) throw new Error('ReconnectingWebSocket.start() may be called once, before close()');
    this.#started = true;
    this.#beginOutage('connecting', undefined);
    this.#connect();
  }

  /** False when not open: the owner decides whether to hold the data or drop it. */
  send(data: Buffer | string): boolean {
    if (this.#ws === null || this.#state !== 'open' || this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(data); // ws sends strings as text frames, Buffers as binary
    return true;
  }

  /** Stops for good: a pending try is aborted, an open connection closed with 1000. */
  close(): void {
    this.#end('stopped', undefined);
  }

  #beginOutage(state: 'connecting' | 'reconnecting', reason: string | undefined): void {
    const since = this.#o.clock.now();
    const windowMs = windowOf(this.#o);
    const deadline = since + windowMs;
    this.#outage = { since, deadline };
    this.#tries = 0;
    this.#retries = 0;
    this.#after('deadline', windowMs, () => this.#end('deadline', this.#lastError));
    this.#setState(state, reason === undefined ? { deadline } : { deadline, reason });
  }

  #connect(): void {
    this.#tries++;
    let ws: WebSocket;
    try {
      const { wsOptions } = this.#o;
      const headers = this.#o.headers?.();
      ws = new WebSocket(this.#o.url(), {
        perMessageDeflate: false, // serial bytes are small and hot: compression costs more than it saves
        ...wsOptions,
        ...(headers && { headers: { ...wsOptions?.headers, ...headers } }),
      });
    } catch (err) {
      this.#end('fatal', asError(err)); // a malformed URL does not get better by asking again
      return;
    }
    // Aborting cancels this try's handshake (or connection) only; every try has its own controller.
    const controller = new AbortController();
    controller.signal.addEventListener('abort', () => ws.terminate(), { once: true });
    this.#ws = ws;
    this.#controller = controller;
    this.#after('connect', this.#o.connectTimeoutMs, () =>
      this.#lose(new Error(`no connection after ${this.#o.connectTimeoutMs} ms`), false),
    );

    let failure: ReconnectError | undefined;
    ws.on('error', (err) => {
      if (this.#ws === ws) failure ??= err;
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      if (this.#ws === ws) this.#lose(handshakeRefused(res.statusCode ?? 0), false);
      else ws.terminate();
    });
    ws.on('open', () => this.#opened(ws));
    ws.on('message', (data, isBinary) => {
      if (this.#ws !== ws) return;
      this.#heartbeat.heard();
      this.emit('message', toBuffer(data), isBinary);
    });
    ws.on('pong', () => this.#ws === ws && this.#heartbeat.heard());
    ws.on('ping', () => this.#ws === ws && this.#heartbeat.heard());
    ws.on('close', (code, reason) => {
      if (this.#ws !== ws) return;
      const wasOpen = this.#state === 'open';
      const why = `${wasOpen ? 'connection closed' : 'closed before opening'} (code ${code}${reason.length ? `: ${reason}` : ''})`;
      this.#lose(Object.assign(failure ?? new Error(why), { closeCode: code }), wasOpen);
    });
  }

  #opened(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#clear('connect');
    this.#clear('deadline');
    this.#outage = null;
    this.#lastError = undefined;
    this.#heartbeat.start();
    this.#setState('open', { attempt: this.#tries });
    if (!this.#ended) this.emit('open', ws); // unless a 'state' listener closed it
  }

  /** The current try failed or the open connection died: let go of its socket, then retry or give up. */
  #lose(err: ReconnectError, wasOpen: boolean): void {
    this.#ws = null;
    this.#clear('connect');
    this.#heartbeat.stop();
    this.#controller?.abort();
    this.#controller = null;
    this.#lastError = err;
    if (!this.#o.retryable(err)) return this.#end('fatal', err);
    if (wasOpen) this.#beginOutage('reconnecting', err.message);
    if (this.#ended) return; // a 'state' listener closed it
    const delayMs = backoffDelay(++this.#retries, this.#o.initialDelayMs, this.#o.maxDelayMs, this.#o.random);
    this.#after('backoff', delayMs, () => this.#connect());
    this.emit('retry', { attempt: this.#tries + 1, delayMs, deadline: this.#outage!.deadline, error: err });
  }

  #ping(): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  #end(reason: ClosedReason, err: ReconnectError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const name of ['deadline', 'backoff', 'connect'] as const) this.#clear(name);
    this.#heartbeat.stop();
    const ws = this.#ws;
    this.#ws = null;
    if (ws !== null && this.#state === 'open') ws.close(1000, 'client closing');
    else this.#controller?.abort();
    this.#controller = null;
    this.#outage = null;
    this.#setState('closed', { reason });
    this.emit('closed', reason, err);
  }

  #after(name: TimerName, ms: number, fn: () => void): void {
    this.#timers[name] = this.#o.clock.setTimeout(() => {
      this.#timers[name] = undefined;
      fn();
    }, ms);
  }

  #clear(name: TimerName): void {
    const handle = this.#timers[name];
    if (handle !== undefined) this.#o.clock.clearTimeout(handle);
    this.#timers[name] = undefined;
  }

  #setState(state: ReconnectState, info: StateInfo): void {
    this.#state = state;
    this.emit('state', state, info);
  }
}
