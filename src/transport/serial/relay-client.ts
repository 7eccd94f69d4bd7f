// One WebSocket attached to a serial relay: sends board output within a bounded queue, and reports what it dropped.
import { WebSocket, type RawData } from 'ws';
import type { ServerMessage } from '../protocol/ws-messages.js';

/** What the relay needs of a client's socket: a WebSocket, or anything that behaves like one (a host tunnel's channel). */
export interface RelaySocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly isPaused: boolean;
  send(data: Buffer | string, options: { binary?: boolean; compress?: boolean }, cb?: (err?: Error) => void): void;
  send(data: string, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

const BINARY = { binary: true, compress: false } as const;

export class RelayClient {
  #dropping = false;
  #lost = 0;
  readonly #resumeBelow: number;

  constructor(
    readonly ws: RelaySocket,
    private readonly queueBytes: number,
  ) {
    this.#resumeBelow = Math.floor(queueBytes / 4);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Board output: sent unless this client's queue is full, in which case it is counted as lost until the queue drains. */
  sendData(chunk: Buffer): void {
    if (!this.isOpen) return;
    if (this.#dropping) {
      if (this.ws.bufferedAmount > this.#resumeBelow) {
        this.#lost += chunk.length;
        return;
      }
      this.#resume();
    }
    if (this.ws.bufferedAmount + chunk.length > this.queueBytes) {
      this.#dropping = true;
      this.#lost += chunk.length;
      return;
    }
    this.ws.send(chunk, BINARY, this.#sent);
  }

  /** A replay from the ring: bounded by the ring's size, so it is sent whatever the queue holds. */
  sendReplay(data: Buffer): void {
    if (this.isOpen && data.length > 0) this.ws.send(data, BINARY, this.#sent);
  }

  sendJson(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  sendText(text: string): void {
    if (this.isOpen) this.ws.send(text, this.#sent);
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate(); // an invalid code or reason: still close
    }
  }

  // Called when a frame has left for the kernel: the moment to notice that a dropping client has drained.
  readonly #sent = (err?: Error): void => {
    if (!err && this.#dropping && this.isOpen && this.ws.bufferedAmount <= this.#resumeBelow) this.#resume();
  };

  #resume(): void {
    this.#dropping = false;
    const lost = this.#lost;
    this.#lost = 0;
    this.sendJson({ type: 'gap', lost_bytes: lost });
  }
}
