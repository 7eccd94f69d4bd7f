// A virtual board's UART transmit queue: fixed buffers and lazily generated payloads, read out in order.
import type { FloodSource } from './flood-pattern.js';

type Item = Buffer | FloodSource;

export class OutputQueue {
  #items: Item[] = [];
  #head = 0;
  /** Read position inside the head item when it is a Buffer. */
  #headOffset = 0;
  #buffered = 0;

  /** Bytes held in fixed buffers (generated payloads excluded): what input backpressure is measured against. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  get isEmpty(): boolean {
    return this.#head >= this.#items.length;
  }

  push(item: Item): void {
    if (Buffer.isBuffer(item)) {
      if (item.length === 0) return;
      this.#buffered += item.length;
    } else if (item.remaining === 0) {
      return;
    }
    this.#items.push(item);
  }

  /** Copies up to `length` bytes into `target` at `offset`; returns how many. */
  readInto(target: Buffer, offset: number, length: number): number {
    let read = 0;
    while (read < length && this.#head < this.#items.length) {
      const item = this.#items[this.#head]!;
      if (Buffer.isBuffer(item)) {
        const n = item.copy(target, offset + read, this.#headOffset, Math.min(item.length, this.#headOffset + length - read));
        read += n;
        this.#buffered -= n;
        this.#headOffset += n;
        if (this.#headOffset < item.length) break;
      } else {
        read += item.fill(target, offset + read, length - read);
        if (item.remaining > 0) break;
      }
      this.#advance();
    }
    return read;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#headOffset = 0;
    this.#buffered = 0;
  }

  #advance(): void {
    this.#items[this.#head] = undefined as unknown as Item; // let the consumed item be collected
    this.#head++;
    this.#headOffset = 0;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
