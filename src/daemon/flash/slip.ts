// SLIP framing as the ESP ROM loader uses it: 0xC0 around each packet, 0xC0 → DB DC and 0xDB → DB DD inside.

export const SLIP_END = 0xc0;
const SLIP_ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;
/** Longer than any packet of the protocol (a 16 KiB stub block, every byte escaped): past it a frame is noise. */
export const MAX_FRAME = 64 * 1024 + 64;

export function slipEncode(packet: Uint8Array): Buffer {
  let extra = 0;
  for (const b of packet) if (b === SLIP_END || b === SLIP_ESC) extra++;
  const out = Buffer.allocUnsafe(packet.length + extra + 2);
  out[0] = SLIP_END;
  let j = 1;
  for (const b of packet) {
    if (b === SLIP_END) {
      out[j++] = SLIP_ESC;
      out[j++] = ESC_END;
    } else if (b === SLIP_ESC) {
      out[j++] = SLIP_ESC;
      out[j++] = ESC_ESC;
    } else out[j++] = b;
  }
  out[j] = SLIP_END;
  return out;
}

/**
 * Splits a byte stream into packets. Bytes outside any packet (a boot log, a chip's garbage at another baud rate)
 * go to `onNoise`; a malformed escape or an overlong frame is dropped as noise too, as esptool does.
 */
export class SlipDecoder {
  #inFrame = false;
  #frame = Buffer.allocUnsafe(MAX_FRAME);
  #length = 0;
  #escaped = false;

  constructor(
    private readonly onPacket: (packet: Buffer) => void,
    private readonly onNoise: (bytes: Buffer) => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (!this.#inFrame) {
        const start = chunk.indexOf(SLIP_END, i);
        if (start < 0) {
          this.onNoise(chunk.subarray(i));
          return;
        }
        if (start > i) this.onNoise(chunk.subarray(i, start));
        this.#open();
        i = start + 1;
        continue;
      }
      i = this.#inside(chunk, i);
    }
  }

  /** Forgets a half-received packet (after a flush, as esptool's flush_input does). */
  reset(): void {
    this.#inFrame = false;
    this.#length = 0;
    this.#escaped = false;
  }

  #open(): void {
    this.#inFrame = true;
    this.#length = 0;
    this.#escaped = false;
  }

  /** Consumes bytes of the current frame from `i`; returns where it stopped. */
  #inside(chunk: Buffer, i: number): number {
    const frame = this.#frame;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#escaped) {
        this.#escaped = false;
        if (b === ESC_END) frame[this.#length++] = SLIP_END;
        else if (b === ESC_ESC) frame[this.#length++] = SLIP_ESC;
        else {
          this.reset();
          return i + 1;
        }
      } else if (b === SLIP_ESC) this.#escaped = true;
      else if (b === SLIP_END) {
        // Back-to-back ends (an empty packet) are a start marker, not a packet.
        if (this.#length === 0) continue;
        const packet = Buffer.from(frame.subarray(0, this.#length));
        this.reset();
        this.onPacket(packet);
        return i + 1;
      } else frame[this.#length++] = b;
      if (this.#length >= MAX_FRAME - 1) {
        this.reset();
        return i + 1;
      }
    }
    return i;
  }
}
