// The flasher stub's READ_FLASH: packets of flash sent ahead of the host's acknowledgements, then the MD5 of it all.
import { createHash, type Hash } from 'node:crypto';
import { slipEncode } from '../flash/slip.js';
import type { VirtualFlash } from './virtual-flash.js';

export class FlashReader {
  #sent = 0;
  #acked = 0;
  readonly #md5: Hash = createHash('md5');
  #done = false;

  /** `window`: how many packets may be unacknowledged at once (esptool asks for 64). */
  constructor(
    private readonly flash: VirtualFlash,
    private readonly send: (bytes: Buffer) => void,
    private readonly offset: number,
    private readonly length: number,
    private readonly packet: number,
    private readonly window: number,
  ) {}

  get done(): boolean {
    return this.#done;
  }

  /** Sends what the window allows; the digest once every byte is acknowledged. */
  pump(): void {
    while (this.#sent < this.length && this.#sent - this.#acked < this.window * this.packet) {
      const chunk = this.flash.read(this.offset + this.#sent, Math.min(this.packet, this.length - this.#sent));
      this.#md5.update(chunk);
      this.#sent += chunk.length;
      this.send(slipEncode(chunk));
    }
    if (this.#acked >= this.length && !this.#done) {
      this.#done = true;
      this.send(slipEncode(this.#md5.digest()));
    }
  }

  /** The host's acknowledgement: how many bytes it has received in all. */
  ack(total: number): void {
    this.#acked = Math.max(this.#acked, total);
    this.pump();
  }
}
