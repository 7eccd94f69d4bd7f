// Client input on its way to the board: kept in arrival order, held while a control operation runs, bounded always.
import type { SerialLine } from './port.js';
import type { RelayClient } from './relay-client.js';

export class RelayInput {
  #inFlight = 0;
  #held: Array<{ client: RelayClient; data: Buffer }> = [];
  #heldBytes = 0;
  /** Clients whose sockets are paused until the port drains and no control operation runs. */
  readonly #paused = new Set<RelayClient>();

  constructor(
    private readonly stream: SerialLine,
    private readonly limitBytes: number,
  ) {
    stream.on('drain', () => this.#maybeResume());
  }

  write(client: RelayClient, data: Buffer): void {
    if (data.length === 0) return;
    if (this.#inFlight === 0) {
      this.#send(client, data);
      return;
    }
    // Bytes typed after a control message (say, a baud change) must reach the board after it takes effect.
    this.#held.push({ client, data });
    this.#heldBytes += data.length;
    if (this.#heldBytes > this.limitBytes) this.#flooded(client, this.#heldBytes);
    else this.#pause(client);
  }

  /** Runs a control operation with later input held back until it is done. */
  async control(op: () => Promise<void>): Promise<void> {
    this.#inFlight++;
    try {
      await op();
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#release();
    }
  }

  /** The port is gone: held input is dropped and every paused client reads again (its input is dropped too). */
  releaseAll(): void {
    this.#held = [];
    this.#heldBytes = 0;
    for (const client of this.#paused) client.ws.resume();
    this.#paused.clear();
  }

  forget(client: RelayClient): void {
    this.#paused.delete(client);
  }

  #release(): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const { client, data } of held) if (client.isOpen) this.#send(client, data);
    this.#maybeResume();
  }

  #send(client: RelayClient, data: Buffer): void {
    if (!this.stream.isOpen) return;
    if (this.stream.write(data)) return;
    // The port is behind: stop reading this socket until it drains; a client that keeps flooding anyway is cut off.
    if (this.stream.writableLength > this.limitBytes) this.#flooded(client, this.stream.writableLength);
    else this.#pause(client);
  }

  #flooded(client: RelayClient, pending: number): void {
    client.sendJson({ type: 'error', code: 'payload_too_large', error: `${pending} bytes of input are waiting for the board, more than ${this.limitBytes}; closing.` });
    client.close(1009, 'input flood');
    this.#paused.delete(client);
  }

  #pause(client: RelayClient): void {
    if (this.#paused.has(client)) return;
    this.#paused.add(client);
    client.ws.pause();
  }

  #maybeResume(): void {
    if (this.#inFlight > 0 || this.stream.writableNeedDrain) return;
    for (const client of this.#paused) client.ws.resume();
    this.#paused.clear();
  }
}
