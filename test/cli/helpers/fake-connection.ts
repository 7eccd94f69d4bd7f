// A SerialConnection driven by the test: it emits frames as the daemon would and records what the code under test did.
import type { SerialConnection, SerialEvent } from '../../../src/cli/client/serial-socket.js';

export class FakeConnection implements SerialConnection {
  readonly written: Buffer[] = [];
  destroyed = false;
  #listener: ((event: SerialEvent) => void) | null = null;

  listen(listener: (event: SerialEvent) => void): void {
    this.#listener = listener;
  }

  emit(event: SerialEvent): void {
    if (!this.#listener) throw new Error('nothing listens to the fake connection yet');
    this.#listener(event);
  }

  data(text: string): void {
    this.emit({ type: 'data', chunk: Buffer.from(text, 'latin1') });
  }

  async write(data: Uint8Array): Promise<void> {
    this.written.push(Buffer.from(data));
  }

  async end(): Promise<void> {
    this.destroyed = true;
  }

  destroy(): void {
    this.destroyed = true;
  }
}
