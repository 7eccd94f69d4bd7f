// What a CdpConnection runs on: a stream of whole CDP messages — a Chromium pipe, or a WebSocket to a remote host.
import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';

export interface CdpStreamEvents {
  /** One whole message; the buffer is the caller's to keep or modify. */
  message: [Buffer];
  close: [];
}

export interface CdpStream extends EventEmitter<CdpStreamEvents> {
  readonly isClosed: boolean;
  /** Writes one message made of parts; false means full: wait with onDrain(). */
  send(...parts: Buffer[]): boolean;
  onDrain(fn: () => void): void;
  /** Stops delivering messages (a slow client) until resume(). */
  pause(): void;
  resume(): void;
}

/** Past this many bytes queued on the socket, send() says full; below LOW_WATER, the drain waiters go on. */
const HIGH_WATER = 16 * 1024 * 1024;
const LOW_WATER = 4 * 1024 * 1024;

/**
 * One open WebSocket of a remote link as a CdpStream. Messages are fed in by the link (its reconnecting socket
 * reads them, which keeps its heartbeat honest); close() is called by the link when this socket is gone.
 */
export class WsCdpStream extends EventEmitter<CdpStreamEvents> implements CdpStream {
  private closed = false;
  private drains: Array<() => void> = [];

  constructor(private readonly ws: WebSocket) {
    super();
  }

  get isClosed(): boolean {
    return this.closed || this.ws.readyState !== WebSocket.OPEN;
  }

  receive(message: Buffer): void {
    if (!this.closed) this.emit('message', message);
  }

  send(...parts: Buffer[]): boolean {
    if (this.isClosed) return true;
    this.ws.send(parts.length === 1 ? parts[0]! : Buffer.concat(parts), { binary: false }, () => this.drained());
    return this.ws.bufferedAmount < HIGH_WATER;
  }

  onDrain(fn: () => void): void {
    if (this.isClosed || this.ws.bufferedAmount < LOW_WATER) queueMicrotask(fn);
    else this.drains.push(fn);
  }

  pause(): void {
    if (!this.isClosed) this.ws.pause();
  }

  resume(): void {
    if (!this.isClosed) this.ws.resume();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.drained();
    this.emit('close');
  }

  private drained(): void {
    if (this.drains.length === 0 || (!this.closed && this.ws.bufferedAmount >= LOW_WATER)) return;
    const waiting = this.drains;
    this.drains = [];
    for (const fn of waiting) fn();
  }
}
