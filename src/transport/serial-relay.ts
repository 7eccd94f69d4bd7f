// The serial ⇄ WebSocket relay of one session: board output fans out to every client, any client's input goes to the board.
import { EventEmitter } from 'node:events';
import type { RawData } from 'ws';
import type { SerialPortHandle as OpenedPort, SerialPortHandle } from './serial/port.js';
import { ApiError } from './protocol/errors.js';
import { parseClientMessage, type ServerMessage } from './protocol/ws-messages.js';
import { ByteRing } from './serial/byte-ring.js';
import { LentPort } from './serial/lent-port.js';
import { CONTROL_HELP, dispatchControl } from './serial/control-handlers.js';
import { RelayClient, type RelaySocket } from './serial/relay-client.js';
import { RelayInput } from './serial/relay-input.js';
import { ToldOnce } from './serial/told-once.js';

export const DEFAULT_RING_BYTES = 1024 * 1024;
export const DEFAULT_CLIENT_QUEUE_BYTES = 4 * 1024 * 1024;

export interface SerialRelayOptions {
  /** Board output kept for `since` replays (default 1 MiB). */
  ringBytes?: number;
  /** How much output may wait for one slow client before it is dropped for that client (default 4 MiB). */
  clientQueueBytes?: number;
  /** Offset of the first byte this relay will see: where an earlier relay of the same session stopped. */
  startOffset?: number;
  /** Older output than the ring holds, e.g. from the on-disk transcript: bytes from `from` on, up to `to`, or fewer. */
  history?: (from: number, to: number) => Buffer;
}

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

/**
 * Events: 'clients' (count) when a client attaches or detaches; 'data' (chunk) for each piece of board output;
 * 'port-lost' (error) when the port goes away under the relay — clients stay attached until the owner either
 * `replacePort()`s (the board came back) or `close()`s; 'lend' and 'return' around a `lend()`; 'close' once the relay
 * has closed.
 */
export class SerialRelay extends EventEmitter {
  #port: OpenedPort;
  readonly #ring: ByteRing;
  readonly #queueBytes: number;
  readonly #clients = new Set<RelayClient>();
  #input: RelayInput;
  readonly #history: SerialRelayOptions['history'];
  #closed = false;
  #portLost = false;
  readonly #toldLost = new ToldOnce('upstream_unavailable', 'The board is disconnected: input is dropped until it is back.');
  #lent: LentPort | null = null;
  readonly #toldFlashing = new ToldOnce('flash_in_progress', 'The board is flashing; input is refused until it is done.');
  /** The port is closed on purpose (another program flashes the board): not a lost board. */
  #released = false;

  constructor(port: OpenedPort, options: SerialRelayOptions = {}) {
    super();
    this.#ring = new ByteRing(options.ringBytes ?? DEFAULT_RING_BYTES, options.startOffset ?? 0);
    this.#history = options.history;
    this.#queueBytes = options.clientQueueBytes ?? DEFAULT_CLIENT_QUEUE_BYTES;
    this.#port = port;
    this.#input = this.#bind(port);
  }

  /** The board is back (re-enumerated, replugged): output and input flow through its new port, offsets continue. */
  replacePort(port: OpenedPort): void {
    if (this.#closed) {
      void port.close();
      return;
    }
    this.#input.releaseAll();
    this.#port = port;
    this.#input = this.#bind(port);
    this.#portLost = false;
    this.#toldLost.clear();
  }

  get portLost(): boolean {
    return this.#portLost;
  }

  /**
   * Lends the port to a flasher until it calls close() on what this returns: meanwhile board output goes to it, not
   * to clients or the ring (offsets continue after), client input is refused with a message, clients stay attached,
   * and broadcast() still reaches them. If the port goes away meanwhile, the lent stream closes.
   */
  lend(): SerialPortHandle {
    if (this.#closed || this.#portLost) throw new ApiError('upstream_unavailable', 'The board is not connected: it cannot be flashed until it is back.');
    if (this.#lent) throw new ApiError('flash_in_progress', 'The board is already being flashed; wait for that flash to finish.');
    this.#input.releaseAll();
    this.#lent = new LentPort(this.#port, (lent, unread) => {
      if (this.#lent !== lent) return;
      this.#lent = null;
      this.#toldFlashing.clear();
      this.emit('return');
      for (const chunk of unread) this.#onBoardData(chunk);
    });
    this.emit('lend');
    return this.#lent;
  }

  get lent(): boolean {
    return this.#lent !== null;
  }

  /**
   * Closes the port for another program (a board entry's flash_command) until reacquire(): clients stay attached,
   * their input is refused as while flashing, and the close is not a lost board.
   */
  async release(): Promise<void> {
    if (this.#closed || this.#portLost) throw new ApiError('upstream_unavailable', 'The board is not connected: it cannot be flashed until it is back.');
    if (this.#lent || this.#released) throw new ApiError('flash_in_progress', 'The board is already being flashed; wait for that flash to finish.');
    this.#released = true;
    this.#input.releaseAll();
    await this.#port.close();
  }

  /** The released board's port again (offsets continue); null when it did not reopen: the board counts as lost. */
  reacquire(port: OpenedPort | null, err: Error | null = null): void {
    this.#released = false;
    this.#toldFlashing.clear();
    if (port) return this.replacePort(port);
    this.#portLost = true;
    this.emit('port-lost', err);
  }

  /** Bytes fbay itself adds to the session's output (a flash's marker line): to the ring, every client and 'data'. */
  note(text: string): void {
    if (this.#closed) return;
    const chunk = Buffer.from(text, 'utf8');
    this.#ring.push(chunk);
    for (const client of this.#clients) client.sendData(chunk);
    if (this.listenerCount('data') > 0) this.emit('data', chunk);
  }

  #bind(port: OpenedPort): RelayInput {
    const stream = port.stream;
    stream.on('data', (chunk: Buffer) => this.#onBoardData(chunk));
    stream.on('error', (err: Error) => this.broadcast({ type: 'error', code: 'internal_error', error: `Serial port error on ${port.label}: ${err.message}` }));
    stream.on('close', (err: Error | null) => this.#onPortClosed(port, err));
    return new RelayInput(stream, this.#queueBytes);
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Total bytes the board has sent so far. */
  get offset(): number {
    return this.#ring.end;
  }

  attach(ws: RelaySocket, options: { since?: number } = {}): void {
    const client = new RelayClient(ws, this.#queueBytes);
    if (this.#closed) {
      client.sendJson({ type: 'error', code: 'upstream_unavailable', error: "This session's serial port is closed." });
      client.close(1011, 'serial port closed');
      return;
    }
    if (!client.isOpen) return; // gone before it was attached: it would never report its close
    ws.on('message', (data, isBinary) => this.#onClientMessage(client, data, isBinary));
    ws.on('close', () => this.#detach(client));
    ws.on('error', () => undefined); // 'close' follows
    if (options.since !== undefined) this.#replay(client, options.since);
    this.#clients.add(client);
    this.emit('clients', this.#clients.size);
  }

  /** What the client missed since `since`: older bytes from history when the ring no longer has them. */
  #replay(client: RelayClient, since: number): void {
    const { lost, data } = this.#ring.since(since);
    let gone = lost;
    if (lost > 0 && this.#history) {
      const from = this.#ring.start - lost;
      const older = this.#history(from, this.#ring.start);
      client.sendReplay(older);
      // History may stop short of the ring (a transcript capped in size): the bytes between are gone.
      gone = lost - older.length;
      if (gone > 0) client.sendJson({ type: 'gap', lost_bytes: gone });
    } else if (gone > 0) client.sendJson({ type: 'gap', lost_bytes: gone });
    client.sendReplay(data);
  }

  /** A text frame (JSON) to every client; with none (most sessions, on each state change), nothing is serialized. */
  broadcast(message: ServerMessage): void {
    if (this.#clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const client of this.#clients) client.sendText(text);
  }

  /** Closes every client, then the port. */
  async close(code = 1000, reason = ''): Promise<void> {
    const first = !this.#closed;
    if (first) {
      this.#closed = true;
      this.#lent?.lost();
      this.#closeClients(code, reason);
    }
    await this.#port.close();
    if (first) this.emit('close');
  }

  #onBoardData(chunk: Buffer): void {
    if (this.#lent) return this.#lent.feed(chunk);
    this.#ring.push(chunk);
    // Live output goes to every client as the same buffer: no copy per client.
    for (const client of this.#clients) client.sendData(chunk);
    if (this.listenerCount('data') > 0) this.emit('data', chunk);
  }

  #onClientMessage(client: RelayClient, data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    try {
      if (this.#portLost) this.#toldLost.tell(client);
      else if (this.#lent || this.#released) this.#toldFlashing.tell(client);
      else if (isBinary) this.#input.write(client, toBuffer(data));
      else this.#control(client, toBuffer(data).toString('utf8'));
    } catch (err) {
      client.sendJson({ type: 'error', code: 'internal_error', error: `Could not handle that frame: ${(err as Error).message}` });
    }
  }

  #control(client: RelayClient, text: string): void {
    const message = parseClientMessage(text);
    if (!message) {
      client.sendJson({ type: 'error', code: 'invalid_request', error: CONTROL_HELP });
      return;
    }
    this.#input.control(() => dispatchControl(this.#port.control, message)).catch((err: unknown) => {
      const code = err instanceof ApiError ? err.code : 'internal_error';
      client.sendJson({ type: 'error', code, error: err instanceof Error ? err.message : String(err) });
    });
  }

  #detach(client: RelayClient): void {
    this.#input.forget(client);
    if (!this.#clients.delete(client)) return;
    if (!this.#closed) this.emit('clients', this.#clients.size);
  }

  #onPortClosed(port: OpenedPort, err: Error | null): void {
    // A stream destroyed after a failed write emits 'close' a second time; a replaced port's close is old news.
    if (port !== this.#port || this.#portLost || this.#closed || this.#released) return;
    this.#lent?.lost();
    this.#portLost = true;
    this.#input.releaseAll();
    this.emit('port-lost', err);
  }

  #closeClients(code: number, reason: string): void {
    for (const client of this.#clients) client.close(code, reason);
    this.#clients.clear();
  }
}
