// The last N bytes a board sent, addressed by absolute offset, so a reconnecting client can replay what it missed.

const MIN_BLOCK = 4096;

/**
 * A circular byte buffer that grows on demand up to its capacity: a session whose board says little costs little,
 * which matters when a daemon holds a thousand of them.
 */
export class ByteRing {
  #buf: Buffer | null = null;
  #head = 0;
  #size = 0;
  #end = 0;

  /** `startOffset`: the offset of the first byte this ring will see (a session resumed after a daemon restart). */
  constructor(
    readonly capacity: number,
    startOffset = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`ring capacity must be a positive whole number; got ${capacity}`);
    this.#end = startOffset;
  }

  /** Offset just past the last byte ever pushed: the total bytes seen. */
  get end(): number {
    return this.#end;
  }

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.#end - this.#size;
  }

  push(chunk: Uint8Array): void {
    const len = chunk.length;
    if (len === 0) return;
    this.#end += len;
    if (len >= this.capacity) {
      const buf = this.#reserve(this.capacity);
      buf.set(chunk.subarray(len - this.capacity), 0);
      this.#head = 0;
      this.#size = this.capacity;
      return;
    }
    const buf = this.#reserve(this.#size + len);
    const cap = buf.length;
    const tail = (this.#head + this.#size) % cap;
    const first = Math.min(len, cap - tail);
    buf.set(first === len ? chunk : chunk.subarray(0, first), tail);
    if (first < len) buf.set(chunk.subarray(first), 0);
    this.#size += len;
    if (this.#size > cap) {
      this.#head = (this.#head + this.#size - cap) % cap;
      this.#size = cap;
    }
  }

  /**
   * A copy of everything held from `from` on (a copy: the ring overwrites itself while a socket may still be
   * sending), and how many bytes before the oldest one held were asked for and are gone.
   */
  since(from: number): { lost: number; data: Buffer } {
    const start = this.start;
    const at = Number.isFinite(from) ? Math.max(0, Math.min(from, this.#end)) : this.#end;
    const lost = at < start ? start - at : 0;
    const skip = Math.max(at, start) - start;
    const n = this.#size - skip;
    if (n <= 0 || !this.#buf) return { lost, data: Buffer.alloc(0) };
    const buf = this.#buf;
    const data = Buffer.allocUnsafe(n);
    const pos = (this.#head + skip) % buf.length;
    const first = Math.min(n, buf.length - pos);
    buf.copy(data, 0, pos, pos + first);
    if (first < n) buf.copy(data, first, 0, n - first);
    return { lost, data };
  }

  /** Makes room for `need` bytes (capped at capacity), keeping held bytes in order at the start of a new block. */
  #reserve(need: number): Buffer {
    const want = Math.min(need, this.capacity);
    if (this.#buf && this.#buf.length >= want) return this.#buf;
    let size = Math.max(MIN_BLOCK, this.#buf?.length ?? 0);
    while (size < want) size *= 2;
    const grown = Buffer.allocUnsafe(Math.min(size, this.capacity));
    if (this.#buf && this.#size > 0) {
      const old = this.#buf;
      const first = Math.min(this.#size, old.length - this.#head);
      old.copy(grown, 0, this.#head, this.#head + first);
      if (first < this.#size) old.copy(grown, first, 0, this.#size - first);
    }
    this.#buf = grown;
    this.#head = 0;
    return grown;
  }
}
