// The `flood N` payload of a virtual board: numbered 64-byte lines, generated straight into the reader's buffer.

export const FLOOD_LINE_BYTES = 64;
const TAIL = ' ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0\r\n';
const TEMPLATE = Buffer.from('00000000' + TAIL, 'latin1');
if (TEMPLATE.length !== FLOOD_LINE_BYTES) throw new Error('flood line template must be 64 bytes');

/** Line `n` (1-based) of the pattern, as a standalone buffer; tests and benchmarks use it to check bytes. */
export function floodLine(n: number): Buffer {
  const line = Buffer.from(TEMPLATE);
  writeLineNumber(line, 0, n);
  return line;
}

/** The first `total` bytes of the pattern; only for tests and small sizes. */
export function floodBytes(total: number): Buffer {
  const out = Buffer.allocUnsafe(total);
  new FloodSource(total).fill(out, 0, total);
  return out;
}

function writeLineNumber(target: Buffer, at: number, n: number): void {
  let x = n % 100_000_000;
  for (let i = 7; i >= 0; i--) {
    target[at + i] = 48 + (x % 10);
    x = Math.floor(x / 10);
  }
}

/** A lazily generated payload: nothing is materialised until a reader asks, so N can be large and cost no memory. */
export class FloodSource {
  #done = 0;
  #scratch: Buffer | null = null;

  constructor(readonly total: number) {}

  get remaining(): number {
    return this.total - this.#done;
  }

  /** Writes up to `length` bytes at `offset`; returns how many. Whole lines are copied from the template. */
  fill(target: Buffer, offset: number, length: number): number {
    let written = 0;
    const limit = Math.min(length, this.remaining);
    while (written < limit) {
      const lineNo = Math.floor(this.#done / FLOOD_LINE_BYTES) + 1;
      const inLine = this.#done % FLOOD_LINE_BYTES;
      const n = Math.min(FLOOD_LINE_BYTES - inLine, limit - written);
      const at = offset + written;
      if (n === FLOOD_LINE_BYTES) {
        TEMPLATE.copy(target, at);
        writeLineNumber(target, at, lineNo);
      } else {
        // A line split across two reads: build it once in a scratch buffer and copy the part asked for.
        const scratch = (this.#scratch ??= Buffer.allocUnsafe(FLOOD_LINE_BYTES));
        TEMPLATE.copy(scratch, 0);
        writeLineNumber(scratch, 0, lineNo);
        scratch.copy(target, at, inLine, inLine + n);
      }
      written += n;
      this.#done += n;
    }
    return written;
  }
}
