// The bridge's side of the serial WebSocket: data and control messages leave in exactly the order they were given,
// at once when the socket keeps up (a DTR flip is never held back behind a timer), queued in order when it does not.
import { EventEmitter } from 'node:events';
import type { ClientMessage, ServerMessage } from '../../transport/protocol/ws-messages.js';
import { MAX_SEND_FRAME, type SerialConnection } from '../client/serial-socket.js';

/** Above this much input handed to the socket and not yet written, input waits in the queue (and the reader pauses). */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

type Item = { data: Buffer } | { control: ClientMessage };

export interface BoardLinkEvents {
  data: [chunk: Buffer];
  message: [message: ServerMessage];
  /** The WebSocket closed; `ended` says whether the daemon had said the session ended. */
  closed: [info: { code: number; reason: string; ended: ServerMessage | null }];
  /** Queued input fell below the low-water mark: a paused reader may go on. */
  drain: [];
}

export class BoardLink extends EventEmitter<BoardLinkEvents> {
  readonly #queue: Item[] = [];
  #queuedBytes = 0;
  #inFlight = 0;
  #closed = false;
  #ended: ServerMessage | null = null;

  constructor(private readonly connection: SerialConnection) {
    super();
    connection.listen((event) => {
      if (event.type === 'data') this.emit('data', event.chunk);
      else if (event.type === 'message') {
        if (event.message.type === 'ended') this.#ended = event.message;
        this.emit('message', event.message);
      } else {
        this.#closed = true;
        this.#queue.length = 0;
        this.#queuedBytes = 0;
        this.emit('closed', { code: event.code, reason: event.reason, ended: this.#ended });
      }
    });
  }

  /** Input for the board. */
  write(data: Buffer): void {
    if (this.#closed || data.length === 0) return;
    for (let at = 0; at < data.length; at += MAX_SEND_FRAME) {
      const frame = data.subarray(at, at + MAX_SEND_FRAME);
      this.#queue.push({ data: frame });
      this.#queuedBytes += frame.length;
    }
    this.#pump();
  }

  /** A control message, after every byte written before it and before every byte written after. */
  control(message: ClientMessage): void {
    if (this.#closed) return;
    this.#queue.push({ control: message });
    this.#pump();
  }

  /** Drops the input still queued here (a client's purge of the transmit buffer); control messages stay. Returns bytes dropped. */
  purgeInput(): number {
    const dropped = this.#queuedBytes;
    const kept = this.#queue.filter((item) => 'control' in item);
    this.#queue.length = 0;
    this.#queue.push(...kept);
    this.#queuedBytes = 0;
    if (dropped > 0) this.#maybeDrain();
    return dropped;
  }

  /** Board output stops coming (the reader is behind) until resumeOutput(); the daemon holds it, within its bounds. */
  pauseOutput(): void {
    this.connection.pause?.();
  }

  resumeOutput(): void {
    this.connection.resume?.();
  }

  /** Input accepted and not yet written to the socket. */
  get pendingBytes(): number {
    return this.#queuedBytes + this.#inFlight;
  }

  /** True while input should stop coming (the reader pauses until 'drain'). */
  get congested(): boolean {
    return this.#queuedBytes + this.#inFlight > HIGH_WATER;
  }

  /** Closes the WebSocket and resolves once the daemon has answered the close (so it has handled everything sent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.connection.end(), new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    this.connection.destroy();
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight <= HIGH_WATER) {
      const item = this.#queue.shift()!;
      if ('control' in item) {
        // A failed send shows up as the connection's close; nothing to do per message.
        this.connection.control?.(item.control).catch(() => undefined);
        continue;
      }
      const size = item.data.length;
      this.#queuedBytes -= size;
      this.#inFlight += size;
      // One frame per call (at most MAX_SEND_FRAME), so write() hands it to the socket before it returns: frames and
      // control messages reach the socket in the order of these calls.
      this.connection.write(item.data).then(
        () => this.#sent(size),
        () => this.#sent(size),
      );
    }
  }

  #sent(size: number): void {
    this.#inFlight -= size;
    this.#pump();
    this.#maybeDrain();
  }

  #maybeDrain(): void {
    if (this.#queuedBytes + this.#inFlight <= LOW_WATER) this.emit('drain');
  }
}
