// Inflates a zlib stream block by block, as a flasher (to count what each block writes) and a chip's loader see it.
import { createInflate, type Inflate } from 'node:zlib';

export class StreamInflater {
  #inflate: Inflate = createInflate();
  #out: Buffer[] = [];
  #failed: Error | null = null;
  #pending: ((err: Error) => void) | null = null;

  constructor() {
    this.#inflate.on('data', (chunk: Buffer) => this.#out.push(chunk));
    this.#inflate.on('error', (err: Error) => {
      this.#failed = err;
      this.#pending?.(err);
    });
  }

  /** What `block` inflates to (zlib hands out all it can decode before it calls back). Rejects on a broken stream. */
  async push(block: Buffer): Promise<Buffer> {
    if (this.#failed) throw this.#failed;
    await new Promise<void>((resolve, reject) => {
      this.#pending = reject;
      this.#inflate.write(block, () => resolve());
    }).finally(() => {
      this.#pending = null;
    });
    const out = this.#out.length === 1 ? this.#out[0]! : Buffer.concat(this.#out);
    this.#out = [];
    return out;
  }

  close(): void {
    this.#inflate.removeAllListeners('data');
    this.#inflate.on('error', () => undefined);
    this.#inflate.destroy();
  }
}
