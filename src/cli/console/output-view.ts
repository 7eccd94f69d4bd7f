// How board output reaches the screen: as is (the fast path, ANSI colours kept), or as a hex dump, with or without
// a timestamp at the start of each line.
import { HexDump } from './hex-dump.js';

const LF = 0x0a;
const DIM = '\x1b[2m';
const UNDIM = '\x1b[22m';

export function timestamp(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `[${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}.${p(at.getMilliseconds(), 3)}] `;
}

export class OutputView {
  #timestamps = false;
  #hex: HexDump | null = null;
  /** The last byte shown ended a line: the next one starts a new line (and gets a timestamp). */
  #atLineStart = true;

  constructor(private readonly now: () => Date = () => new Date()) {}

  get hex(): boolean {
    return this.#hex !== null;
  }

  get timestamps(): boolean {
    return this.#timestamps;
  }

  /** Whether the cursor sits at the start of a line: messages printed after the output need a newline first if not. */
  get atLineStart(): boolean {
    return this.#hex ? !this.#hex.midLine : this.#atLineStart;
  }

  /** What to write for this chunk of output. */
  format(chunk: Buffer): Buffer | string {
    if (chunk.length === 0) return chunk;
    if (this.#hex) return this.#hex.push(chunk);
    if (!this.#timestamps) {
      this.#atLineStart = chunk[chunk.length - 1] === LF;
      return chunk;
    }
    const parts: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      if (this.#atLineStart) parts.push(Buffer.from(`${DIM}${timestamp(this.now())}${UNDIM}`, 'latin1'));
      const nl = chunk.indexOf(LF, start);
      const end = nl < 0 ? chunk.length : nl + 1;
      parts.push(chunk.subarray(start, end));
      this.#atLineStart = nl >= 0;
      start = end;
    }
    return Buffer.concat(parts);
  }

  /** Turns the hex view on or off (`offset`: of the next byte); returns what to write first (the end of a cut-off line). */
  setHex(on: boolean, offset: number): string {
    if (on === this.hex) return '';
    if (on) {
      const lead = this.#atLineStart ? '' : '\r\n';
      this.#hex = new HexDump(offset, () => (this.#timestamps ? timestamp(this.now()) : ''));
      this.#atLineStart = true;
      return lead;
    }
    const tail = this.#hex!.flush();
    this.#hex = null;
    this.#atLineStart = true;
    return tail;
  }

  setTimestamps(on: boolean): void {
    this.#timestamps = on;
  }

  /** Before the console prints its own lines: finishes a cut-off hex line. */
  flush(): string {
    return this.#hex ? this.#hex.flush() : '';
  }

  /** The console's own line for output the daemon could not deliver; a hex view starts again at `offset`. */
  gap(lostBytes: number, offset: number): string {
    const line = `${this.flush()}${this.atLineStart ? '' : '\r\n'}\x1b[7m[fbay: ${lostBytes} bytes of output lost here: this console fell behind]\x1b[27m\r\n`;
    if (this.#hex) {
      this.setHex(false, offset);
      this.setHex(true, offset);
    }
    return line;
  }
}
