// Appends to one file off the event loop: chunks queue in memory and go out in one writev through the thread pool,
// one write at a time and in order, so the relay that feeds it never waits on the disk.
import { closeSync, writev } from 'node:fs';

export class WriteBehind {
  /** Bytes given but not yet on disk, oldest first; the write under way covers a prefix of them. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private ending = false;
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(
    readonly fd: number,
    /** A write failed: the bytes still queued (`lost` of them) are dropped, and nothing more is taken. */
    private readonly failed: (err: Error, lost: number) => void,
  ) {}

  /** How many given bytes are not yet on disk (they are the file's next bytes). */
  get queued(): number {
    return this.queuedBytes;
  }

  push(chunk: Buffer): void {
    if (this.ending) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.writing) this.writeQueued();
  }

  /** Bytes [from, from + length) of the queue (0 is the first byte not on disk), copied into `into` at `at`. */
  copyQueued(from: number, length: number, into: Buffer, at: number): void {
    let skip = from;
    let done = 0;
    for (const chunk of this.queue) {
      if (done === length) break;
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      const n = Math.min(chunk.length - skip, length - done);
      chunk.copy(into, at + done, skip, skip + n);
      done += n;
      skip = 0;
    }
  }

  /** Resolves once everything given so far is on disk. */
  written(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Writes what is queued, then closes the file; resolves once it is closed. The descriptor is never closed while
   *  a write on it is under way (its number could be given to another file first). */
  async end(): Promise<void> {
    this.ending = true;
    await this.written();
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private writeQueued(): void {
    this.writing = true;
    const chunks = this.queue.slice();
    writev(this.fd, chunks, (err, n) => {
      if (err) {
        const lost = this.queuedBytes;
        this.queue = [];
        this.queuedBytes = 0;
        this.ending = true;
        this.failed(err, lost);
      } else this.drop(n);
      if (this.queue.length > 0) return this.writeQueued();
      this.writing = false;
      for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /** The first `n` queued bytes are on disk (a short write leaves the rest queued, to go out next). */
  private drop(n: number): void {
    this.queuedBytes -= n;
    let left = n;
    while (left > 0) {
      const first = this.queue[0]!;
      if (first.length <= left) {
        left -= first.length;
        this.queue.shift();
      } else {
        this.queue[0] = first.subarray(left);
        left = 0;
      }
    }
  }
}
