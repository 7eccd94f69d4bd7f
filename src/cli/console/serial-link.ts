// The console's serial line: the session's WebSocket (via the serial client), reopened with `?since=` after a drop so
// nothing is lost, with backoff and jitter, for at most the session's idle window. Input typed meanwhile is held
// (bounded) and sent after the reconnect. Kept small and self-contained so a shared reconnecting socket can replace it.
import { UserError } from '../../shared/user-error.js';
import type { ClientMessage, ServerMessage } from '../../transport/protocol/ws-messages.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { connectSerial, MAX_SEND_FRAME, type SerialConnection } from '../client/serial-socket.js';
import type { LinkState } from './status-model.js';

export type Connect = (wsUrl: string, options: { since: number; signal: AbortSignal }) => Promise<SerialConnection>;

export interface LinkOptions {
  wsUrl: string;
  /** Output offset to start from. */
  since: number;
  /** How long a dropped link keeps trying (ms): the session's idle window, after which the daemon ends it anyway. */
  windowMs: () => number;
  connect?: Connect;
  random?: () => number;
  firstRetryMs?: number;
  maxRetryMs?: number;
  attemptTimeoutMs?: number;
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

/** Connect failures worth another try: nothing answers, the connection broke, or our own attempt timeout. */
const RETRYABLE = new Set(['daemon_not_running', 'daemon_unavailable', 'interrupted']);
const LOW_WATER = 64 * 1024;

export class SerialLink {
  #state: LinkState = 'connecting';
  #connection: SerialConnection | null = null;
  #offset: number;
  #ended = false;
  #done = false;
  #deadline: number | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  readonly #queue: Buffer[] = [];
  #queued = 0;
  #pumping = false;
  #dropped = 0;
  readonly #connect: Connect;

  constructor(
    private readonly options: LinkOptions,
    private readonly listener: LinkListener,
  ) {
    this.#offset = options.since;
    this.#connect = options.connect ?? ((url, o) => connectSerial(url, o));
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

  /** The first connection; its failure (ended or unknown session, no daemon) is the caller's to report. */
  async start(signal?: AbortSignal): Promise<void> {
    const connection = await this.#connect(this.options.wsUrl, { since: this.#offset, signal: signal ?? new AbortController().signal });
    this.#bind(connection);
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
    const c = this.#connection;
    if (this.#state !== 'open' || !c?.control) return false;
    c.control(message).catch(() => undefined); // a broken connection shows up as its close
    return true;
  }

  /** Stops for good: no more tries; an open connection is closed (held input is dropped). */
  async close(): Promise<void> {
    if (this.#done) return;
    const c = this.#connection;
    this.#connection = null;
    this.#finish({ kind: 'closed' });
    if (!c) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c.end(), new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    c.destroy();
  }

  #bind(connection: SerialConnection): void {
    this.#connection = connection;
    this.#attempt = 0;
    this.#deadline = null;
    this.#setState('open');
    connection.listen((event) => {
      if (this.#connection !== connection) return;
      if (event.type === 'data') {
        this.#offset += event.chunk.length;
        this.listener.data(event.chunk);
      } else if (event.type === 'message') {
        const m = event.message;
        if (m.type === 'gap') this.#offset += m.lost_bytes;
        if (m.type === 'ended') this.#ended = true;
        this.listener.message(m);
      } else {
        this.#connection = null;
        if (this.#ended) this.#finish({ kind: 'ended' });
        else this.#drop();
      }
    });
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && this.#state === 'open' && this.#connection) {
        const frame = this.#queue[0]!;
        try {
          await this.#connection.write(frame);
        } catch {
          return; // the connection is gone; the frame stays queued for the next one
        }
        this.#queue.shift();
        this.#queued -= frame.length;
        if (this.#queued < LOW_WATER) this.listener.drain?.();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #drop(): void {
    if (this.#done) return;
    this.#deadline = Date.now() + this.options.windowMs();
    this.#setState('reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    const remaining = this.#deadline! - Date.now();
    if (remaining <= 0) return this.#finish({ kind: 'lost', error: daemonGone(this.options.windowMs()) });
    const first = this.options.firstRetryMs ?? 100;
    const ceiling = Math.min(this.options.maxRetryMs ?? 2000, first * 2 ** this.#attempt++);
    // Full jitter in the upper half: many consoles of one restarted daemon do not come back in step.
    const delay = Math.min(remaining, ceiling * (0.5 + (this.options.random ?? Math.random)() / 2));
    this.#retryTimer = setTimeout(() => void this.#try(), delay);
  }

  async #try(): Promise<void> {
    if (this.#done) return;
    const controller = new AbortController();
    const timeout = Math.min(this.options.attemptTimeoutMs ?? 5000, Math.max(1, this.#deadline! - Date.now()));
    const timer = setTimeout(() => controller.abort(), timeout);
    try {
      const connection = await this.#connect(this.options.wsUrl, { since: this.#offset, signal: controller.signal });
      if (this.#done) return connection.destroy();
      this.#bind(connection);
    } catch (err) {
      if (this.#done) return;
      if (err instanceof UserError && RETRYABLE.has(err.code)) this.#schedule();
      else this.#finish({ kind: 'lost', error: err instanceof UserError ? err : new UserError(String(err), { cause: err }) });
    } finally {
      clearTimeout(timer);
    }
  }

  #finish(outcome: LinkOutcome): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#retryTimer);
    this.#queue.length = 0;
    this.#queued = 0;
    this.#setState('closed');
    this.listener.done(outcome);
  }

  #setState(state: LinkState): void {
    this.#state = state;
    this.listener.state(state, this.#deadline);
  }
}

export function daemonGone(windowMs: number): UserError {
  return new UserError(`Lost the fbay daemon, and it did not come back within ${Math.round(windowMs / 1000)}s (the session's idle window).`, {
    exit: EXIT.daemon_unavailable,
    code: 'daemon_unavailable',
    next: 'See `fbay daemon status` and `fbay daemon logs`; the session has likely ended (idle_timeout).',
  });
}
