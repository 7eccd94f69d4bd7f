// The hex view of board output, streamed: 16 bytes a line with the offset and a printable gutter, written as bytes come.

const BYTES_PER_LINE = 16;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export class HexDump {
  /** Bytes of the current (unfinished) line. */
  readonly #line = Buffer.alloc(BYTES_PER_LINE);
  #filled = 0;

  /**
   * @param offset output offset of the next byte (shown at the start of each line)
   * @param prefix text put before each line (the timestamp, when timestamps are on)
   */
  constructor(
    private offset: number,
    private readonly prefix: () => string = () => '',
  ) {}

  get midLine(): boolean {
    return this.#filled > 0;
  }

  push(chunk: Uint8Array): string {
    let out = '';
    for (const b of chunk) {
      if (this.#filled === 0) out += `${this.prefix()}${this.offset.toString(16).padStart(8, '0')}  `;
      out += this.#filled === 8 ? ` ${HEX[b]} ` : `${HEX[b]} `;
      this.#line[this.#filled++] = b;
      this.offset++;
      if (this.#filled === BYTES_PER_LINE) out += this.#finish();
    }
    return out;
  }

  /** Ends a line cut short (the view is switched off, or the console quits). */
  flush(): string {
    return this.#filled > 0 ? this.#finish() : '';
  }

  #finish(): string {
    const n = this.#filled;
    const pad = '   '.repeat(BYTES_PER_LINE - n) + (n <= 8 ? ' ' : '');
    let gutter = '';
    for (let i = 0; i < n; i++) {
      const b = this.#line[i]!;
      gutter += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    this.#filled = 0;
    return `${pad} |${gutter}|\r\n`;
  }
}
