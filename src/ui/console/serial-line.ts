// The session's serial WebSocket from the page: binary frames both ways, JSON control frames, and after a drop (the
// daemon restarted, the network blinked) a reconnect with backoff from the last offset (`?since=`), so nothing is lost.
import type { ClientMessage, ServerMessage } from '../../transport/protocol/ws-messages.js';
import { api, ApiFailure, ticket, wsUrl } from '../api.js';
import { retryDelay } from '../lib/backoff.js';

export type LineState = 'connecting' | 'open' | 'reconnecting' | 'ended';

export interface LineListener {
  data(bytes: Uint8Array, end: number): void;
  message(message: ServerMessage): void;
  state(state: LineState): void;
}

/** Input typed while reconnecting is held up to this much, then dropped. */
const HOLD_BYTES = 64 * 1024;

export class SerialLine {
  #ws: WebSocket | null = null;
  #offset: number;
  #attempt = 0;
  #state: LineState = 'connecting';
  #timer: number | undefined;
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #closed = false;
  readonly #path: string;

  constructor(
    readonly sessionId: string,
    since: number,
    private readonly listener: LineListener,
  ) {
    this.#offset = since;
    this.#path = `/v1/sessions/${encodeURIComponent(sessionId)}/serial`;
  }

  /** Offset of the next byte of output: where a reconnect resumes. */
  get offset(): number {
    return this.#offset;
  }

  get state(): LineState {
    return this.#state;
  }

  start(): void {
    void this.#connect();
  }

  send(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(bytes);
    else if (this.#heldBytes + bytes.length <= HOLD_BYTES) {
      this.#held.push(bytes);
      this.#heldBytes += bytes.length;
    }
  }

  /** A control message (baud, reset, break); false when there is no open connection to take it. */
  control(message: ClientMessage): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  /** Stops for good; the daemon starts the session's idle countdown when its last console goes. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000, 'page closed');
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl(this.#path, { ticket: await ticket(this.#path), since: String(this.#offset) }));
    } catch {
      return this.#retry();
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.#setState('open');
      for (const bytes of this.#held) ws.send(bytes);
      this.#held = [];
      this.#heldBytes = 0;
    };
    ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
      if (typeof e.data === 'string') return this.#onText(e.data);
      const bytes = new Uint8Array(e.data);
      this.#offset += bytes.length;
      this.listener.data(bytes, this.#offset);
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (this.#closed || this.#state === 'ended') return;
      void this.#afterDrop();
    };
  }

  #onText(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'gap') this.#offset += message.lost_bytes;
    if (message.type === 'ended') this.#setState('ended');
    this.listener.message(message);
  }

  /** A handshake refusal is not visible to a page: ask whether the session is still there before trying again. */
  async #afterDrop(): Promise<void> {
    try {
      const s = await api<{ state: string }>('GET', `/v1/sessions/${encodeURIComponent(this.sessionId)}`);
      if (s.state === 'ended') return this.#setState('ended');
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 404) return this.#setState('ended');
      // otherwise the daemon is away (restarting): keep trying
    }
    this.#retry();
  }

  #retry(): void {
    if (this.#closed) return;
    this.#setState('reconnecting');
    this.#timer = window.setTimeout(() => void this.#connect(), retryDelay(this.#attempt++));
  }

  #setState(state: LineState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.listener.state(state);
  }
}
