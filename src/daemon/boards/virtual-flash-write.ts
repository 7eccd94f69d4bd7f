// One FLASH_BEGIN or FLASH_DEFL_BEGIN session in a virtual chip's loader: blocks in, bytes into flash.
import { StreamInflater } from '../flash/stream-inflate.js';
import { LoaderFault } from './loader-fault.js';
import type { VirtualFlash } from './virtual-flash.js';

export interface WriteSession {
  offset: number;
  blockSize: number;
  /** Bytes the session may write: the erase size (ROM) or the image size (stub). */
  limit: number;
}

/** Plain blocks: block `seq` lands at offset + seq × block size, so a retried block is written to the same place. */
export class RawWrite {
  readonly compressed = false;
  constructor(
    private readonly flash: VirtualFlash,
    readonly session: WriteSession,
  ) {}

  async block(seq: number, data: Buffer): Promise<void> {
    const { offset, blockSize } = this.session;
    if (data.length > blockSize) throw new LoaderFault('blocksize', `block ${seq} is ${data.length} bytes, more than the ${blockSize} FLASH_BEGIN announced`);
    const at = offset + seq * blockSize;
    if (at + data.length > this.flash.size) throw new LoaderFault('range', `block ${seq} would write past the end of flash`);
    this.flash.write(at, data);
  }

  close(): void {}
}

/** zlib blocks, inflated as they come and written in order; the ROM answers each block once it is in flash. */
export class DeflatedWrite {
  readonly compressed = true;
  readonly #inflater = new StreamInflater();
  #written = 0;
  #nextSeq = 0;

  constructor(
    private readonly flash: VirtualFlash,
    readonly session: WriteSession,
  ) {}

  get written(): number {
    return this.#written;
  }

  async block(seq: number, data: Buffer): Promise<void> {
    // A repeated block (the answer to it was lost) must not be inflated twice.
    if (seq < this.#nextSeq) return;
    if (seq > this.#nextSeq) throw new LoaderFault('sequence', `block ${seq} arrived, block ${this.#nextSeq} was expected`);
    this.#nextSeq++;
    let out: Buffer;
    try {
      out = await this.#inflater.push(data);
    } catch (err) {
      throw new LoaderFault('inflate', `cannot inflate block ${seq}: ${(err as Error).message}`);
    }
    const { offset, limit } = this.session;
    if (this.#written + out.length > limit) throw new LoaderFault('too_much', `block ${seq} inflates past the ${limit} bytes FLASH_DEFL_BEGIN announced`);
    if (offset + this.#written + out.length > this.flash.size) throw new LoaderFault('range', `block ${seq} would write past the end of flash`);
    if (out.length > 0) this.flash.write(offset + this.#written, out);
    this.#written += out.length;
  }

  close(): void {
    this.#inflater.close();
  }
}
