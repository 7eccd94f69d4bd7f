// Bytes as a hex dump for the console's hex view, a UTF-8 check that counts what the terminal would drop, and the
// recent raw output kept for that view.

/** `00000010  68 65 6c 6c 6f 0d 0a ..  |hello..|`, 16 bytes a line; offsets are the session's output offsets. */
export function hexDump(bytes: Uint8Array, offset: number): string[] {
  const lines: string[] = [];
  const start = offset - (offset % 16);
  for (let lineAt = start; lineAt < offset + bytes.length; lineAt += 16) {
    let hex = '';
    let text = '';
    for (let i = 0; i < 16; i++) {
      const at = lineAt + i - offset;
      const b = at >= 0 && at < bytes.length ? bytes[at]! : null;
      hex += b === null ? '   ' : `${b.toString(16).padStart(2, '0')} `;
      if (i === 7) hex += ' ';
      text += b === null ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${lineAt.toString(16).padStart(8, '0')}  ${hex} |${text}|`);
  }
  return lines;
}

/** Counts bytes that are not well-formed UTF-8 (xterm.js drops those silently), across chunk boundaries. */
export class Utf8Check {
  invalid = 0;
  #need = 0;
  #min = 0;
  #cp = 0;
  #left = 0;

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.#need > 0) {
        if ((b & 0xc0) === 0x80) {
          this.#cp = (this.#cp << 6) | (b & 0x3f);
          if (--this.#need === 0 && (this.#cp < this.#min || this.#cp > 0x10ffff || (this.#cp >= 0xd800 && this.#cp <= 0xdfff))) this.invalid += this.#left;
          continue;
        }
        this.invalid += this.#left - this.#need; // the cut-off sequence
        this.#need = 0;
      }
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) this.#begin(1, 0x80, b & 0x1f);
      else if (b >= 0xe0 && b <= 0xef) this.#begin(2, 0x800, b & 0x0f);
      else if (b >= 0xf0 && b <= 0xf4) this.#begin(3, 0x10000, b & 0x07);
      else this.invalid++;
    }
  }

  #begin(need: number, min: number, bits: number): void {
    this.#need = need;
    this.#left = need + 1;
    this.#min = min;
    this.#cp = bits;
  }
}

/** The last `capacity` bytes of output and the offset of the first one kept. */
export class RecentBytes {
  #buf: Uint8Array;
  #length = 0;
  #end = 0;

  constructor(readonly capacity = 64 * 1024) {
    this.#buf = new Uint8Array(capacity);
  }

  /** `end` is the output offset just past `chunk`. */
  push(chunk: Uint8Array, end: number): void {
    this.#end = end;
    if (chunk.length >= this.capacity) {
      this.#buf.set(chunk.subarray(chunk.length - this.capacity));
      this.#length = this.capacity;
      return;
    }
    const keep = Math.min(this.#length, this.capacity - chunk.length);
    this.#buf.copyWithin(0, this.#length - keep, this.#length);
    this.#buf.set(chunk, keep);
    this.#length = keep + chunk.length;
  }

  /** The last `n` bytes kept, and the offset of the first of them. */
  last(n: number): { bytes: Uint8Array; offset: number } {
    const take = Math.min(n, this.#length);
    return { bytes: this.#buf.slice(this.#length - take, this.#length), offset: this.#end - take };
  }
}
