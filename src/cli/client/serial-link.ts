// The serial line of the console and of the serial commands: the session's WebSocket through the shared reconnecting
// WebSocket, reopened with `?since=` after a drop so nothing is lost or doubled, for at most the session's idle window.
// Input typed meanwhile is held (bounded) and sent after the reconnect.
import { once } from 'node:events';
import type { WebSocket } from 'ws';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { UserError } from '../../shared/user-error.js';
import { VERSION } from '../../shared/version.js';
import { parseServerMessage, type ClientMessage, type ServerMessage } from '../../transport/protocol/ws-messages.js';
import { ReconnectingWebSocket, type ClosedReason, type ReconnectError } from '../../transport/reconnecting-websocket.js';
import { VERSION_HEADER } from './daemon-client.js';
import { interrupted } from './daemon-errors.js';
import { refusedLink } from './link-errors.js';
import { MAX_SEND_FRAME, serialUrl } from './serial-socket.js';

/** `connecting` until the first connection opens, `open`, `reconnecting` after a drop, `closed` for good. */
export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LinkOptions {
  wsUrl: string;
  /** Output offset to start from. */
  since: number;
  /** How long a dropped link keeps trying (ms): the session's idle window, after which the daemon ends it anyway. */
  windowMs: () => number;
  clock?: Clock;
  random?: () => number;
  /** Retry n waits up to initialDelayMs·2^(n-1), at most maxDelayMs (the shared socket's full jitter). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Our own heartbeat: a ping every pingIntervalMs; nothing heard for deadAfterMs and the link is redone. */
  pingIntervalMs?: number;
  deadAfterMs?: number;
  /** Input held while reconnecting, at most (more is dropped and counted). */
  holdBytes?: number;
}

export type LinkOutcome =
  | { kind: 'ended' } // the daemon said the session ended
  | { kind: 'closed' } // close() was called
  | { kind: 'lost'; error: UserError }; // the daemon stayed away past the window, or refused to take us back

export interface LinkListener {
  data(chunk: Buffer): void;
  message(message: ServerMessage): void;
  state(state: LinkState, deadline: number | null): void;
  done(outcome: LinkOutcome): void;
  /** Queued input fell below the low-water mark: a paused input may go on. */
  drain?(): void;
}

const LOW_WATER = 64 * 1024;
/** How long close() waits for the daemon to answer our close (it has then handled every frame sent before). */
const CLOSE_WAIT_MS = 2000;

export class SerialLink {
  #state: LinkState = 'connecting';
  #rws: ReconnectingWebSocket | null = null;
  /** The open connection of the moment: frames are written to it with a callback, so a lost one is sent again. */
  #ws: WebSocket | null = null;
  #offset: number;
  #opened = false;
  #done = false;
  readonly #queue: Buffer[] = [];
  #queued = 0;
  #pumping = false;
  #dropped = 0;
  readonly #clock: Clock;

  constructor(
    private readonly options: LinkOptions,
    private readonly listener: LinkListener,
  ) {
    this.#offset = options.since;
    this.#clock = options.clock ?? systemClock;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Offset of the next output byte: where a reconnect resumes. */
  get offset(): number {
    return this.#offset;
  }

  /** Input bytes accepted and not yet taken by the socket. */
  get queued(): number {
    return this.#queued;
  }

  /** Input bytes dropped because the hold was full while reconnecting (read and reset). */
  takeDropped(): number {
    const n = this.#dropped;
    this.#dropped = 0;
    return n;
  }

  /**
   * Resolves once the first connection is open. Its failure (an ended or unknown session, no daemon within the
   * window, Ctrl-C) rejects and is the caller's to report: `done` is not called for it.
   */
  start(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(interrupted());
    const o = this.options;
    const rws = new ReconnectingWebSocket({
      url: () => serialUrl(o.wsUrl, this.#offset),
      headers: () => ({ [VERSION_HEADER]: VERSION }),
      reconnectWindowMs: () => o.windowMs(),
      clock: this.#clock,
      pingIntervalMs: o.pingIntervalMs ?? 5000,
      deadAfterMs: o.deadAfterMs ?? 15_000,
      ...(o.random ? { random: o.random } : {}),
      ...(o.initialDelayMs ? { initialDelayMs: o.initialDelayMs } : {}),
      ...(o.maxDelayMs ? { maxDelayMs: o.maxDelayMs } : {}),
    });
    this.#rws = rws;
    rws.on('message', (data, isBinary) => this.#frame(data, isBinary));
    rws.on('state', (state, info) => this.#stateChanged(state, info.deadline ?? null));
    rws.on('open', (ws) => {
      this.#ws = ws;
      void this.#pump();
    });
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#done = true;
        rws.close();
        reject(interrupted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      rws.once('open', () => {
        signal?.removeEventListener('abort', onAbort);
        this.#opened = true;
        resolve();
      });
      rws.on('closed', (reason, err) => {
        signal?.removeEventListener('abort', onAbort);
        if (this.#opened) this.#closed(reason, err);
        else if (!this.#done) {
          this.#done = true;
          reject(refusedLink(o.wsUrl, reason, err, o.windowMs()));
        }
      });
      rws.start();
    });
  }

  /** Queues input for the board; false when it was dropped (held input is full while reconnecting). */
  send(bytes: Buffer): boolean {
    if (this.#done) return false;
    if (bytes.length === 0) return true;
    if (this.#state !== 'open' && this.#queued + bytes.length > (this.options.holdBytes ?? 64 * 1024)) {
      this.#dropped += bytes.length;
      return false;
    }
    // One queue entry is one frame, so a frame that failed can be sent again whole after a reconnect.
    for (let at = 0; at < bytes.length; at += MAX_SEND_FRAME) this.#queue.push(bytes.subarray(at, at + MAX_SEND_FRAME));
    this.#queued += bytes.length;
    void this.#pump();
    return true;
  }

  /** A control message (reset, baud, break); false when there is no connection to take it now. */
  control(message: ClientMessage): boolean {
    if (this.#done || this.#state !== 'open' || !this.#rws) return false;
    return this.#rws.send(JSON.stringify(message));
  }

  /** Stops for good: no more tries; an open connection is closed, politely (held input is dropped). */
  async close(): Promise<void> {
    if (this.#done) return;
    const ws = this.#state === 'open' ? this.#ws : null;
    this.#finish({ kind: 'closed' });
    if (!ws) return;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const waited = new Promise<void>((resolve) => (timer = this.#clock.setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([once(ws, 'close').catch(() => undefined), waited]);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    ws.terminate();
  }

  #frame(data: Buffer, isBinary: boolean): void {
    if (this.#done) return;
    if (isBinary) {
      this.#offset += data.length;
      this.listener.data(data);
      return;
    }
    const m = parseServerMessage(data.toString('utf8'));
    if (!m) return;
    if (m.type === 'gap') this.#offset += m.lost_bytes;
    this.listener.message(m);
    // The daemon closes the line after `ended`: that close is the end, not a drop to reconnect from.
    if (m.type === 'ended') this.#finish({ kind: 'ended' });
  }

  #stateChanged(state: LinkState, deadline: number | null): void {
    if (state !== 'open') this.#ws = null;
    if (this.#done || state === 'closed') return; // the end is told once, by #finish
    this.#state = state;
    this.listener.state(state, deadline);
  }

  #closed(reason: ClosedReason, err: ReconnectError | undefined): void {
    if (this.#done) return;
    this.#finish({ kind: 'lost', error: refusedLink(this.options.wsUrl, reason, err, this.options.windowMs(), true) });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && this.#state === 'open' && this.#ws) {
        const frame = this.#queue[0]!;
        const ws = this.#ws;
        try {
          await new Promise<void>((resolve, reject) => ws.send(frame, { binary: true }, (err) => (err ? reject(err) : resolve())));
        } catch {
          return; // the connection is gone; the frame stays queued for the next one
        }
        if (this.#queue[0] !== frame) return; // finished meanwhile: the queue was dropped
        this.#queue.shift();
        this.#queued -= frame.length;
        if (this.#queued < LOW_WATER) this.listener.drain?.();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #finish(outcome: LinkOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#rws?.close();
    this.#ws = null;
    this.#state = 'closed';
    this.listener.state('closed', null);
    this.listener.done(outcome);
  }
}

