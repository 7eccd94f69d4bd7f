// One tunnel channel as a serial client of this host's relay: it looks like the WebSocket a console would attach,
// so the coordinator's end of a session is one more client here (ring, `since`, transcript, bounded queue and all).
import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import { FRAME, MAX_CHUNK_BYTES, streamFrame, textFrame } from '../../transport/tunnel/frames.js';

/** The tunnel as a channel sends on it: the current connection, or null while it is down. */
export interface TunnelSender {
  send(frame: Buffer, done?: (err?: Error) => void): boolean;
  readonly bufferedAmount: number;
}

/** Input held while the relay has paused this client (the board is behind); past this the channel is closed. */
const PAUSED_INPUT_LIMIT = 4 * 1024 * 1024;
/**
 * What the relay says to a client that concerns the coordinator's clients too; the rest is about this host's session.
 * Flash progress is not among them: the job itself goes to the coordinator (join-flash.ts), which tells its clients.
 */
const FORWARDED = new Set(['gap', 'error']);

export class ChannelSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  isPaused = false;
  private paused: Buffer[] = [];
  private pausedBytes = 0;

  constructor(
    private readonly tunnel: TunnelSender,
    readonly channel: number,
    /** The output offset of the next byte this client is sent. */
    private offset: number,
  ) {
    super();
  }

  get bufferedAmount(): number {
    return this.tunnel.bufferedAmount;
  }

  /** The relay's send: bytes go out as data frames with their offsets; JSON messages as text frames. */
  send(data: Buffer | string, options?: unknown, done?: (err?: Error) => void): void {
    const cb = typeof options === 'function' ? (options as (err?: Error) => void) : done;
    if (this.readyState !== WebSocket.OPEN) return cb?.(new Error('channel closed'));
    if (typeof data === 'string') return this.sendText(data, cb);
    for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES) {
      const piece = data.subarray(at, at + MAX_CHUNK_BYTES);
      const last = at + MAX_CHUNK_BYTES >= data.length;
      this.tunnel.send(streamFrame(FRAME.data, this.channel, this.offset, piece), last ? cb : undefined);
      this.offset += piece.length;
    }
  }

  private sendText(text: string, cb?: (err?: Error) => void): void {
    let m: { type?: unknown; lost_bytes?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return cb?.();
    }
    // A gap the relay reports moves this channel's numbering on, exactly as it moves the coordinator's.
    if (m.type === 'gap' && typeof m.lost_bytes === 'number') this.offset += m.lost_bytes;
    if (typeof m.type === 'string' && FORWARDED.has(m.type)) this.tunnel.send(textFrame(this.channel, text), cb);
    else cb?.();
  }

  /** Input from the coordinator, in order; held while the relay has this client paused. */
  input(bytes: Buffer): void {
    if (this.readyState !== WebSocket.OPEN) return;
    if (!this.isPaused) return void this.emit('message', bytes, true);
    this.paused.push(bytes);
    this.pausedBytes += bytes.length;
    if (this.pausedBytes > PAUSED_INPUT_LIMIT) this.close(1009, 'input flood');
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
    const held = this.paused;
    this.paused = [];
    this.pausedBytes = 0;
    for (const bytes of held) {
      if (this.isPaused) this.paused.push(bytes), (this.pausedBytes += bytes.length);
      else this.emit('message', bytes, true);
    }
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    this.paused = [];
    this.emit('close', code, Buffer.from(reason));
  }

  terminate(): void {
    this.close(1006, '');
  }
}
