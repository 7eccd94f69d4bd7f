// Matches a regular expression against serial output as UTF-8 text, in time linear in the output: the regex runs over
// a bounded window of the latest text, and only once per batch of new text, never over everything on every chunk.
import { Utf8Decoder, decodeUtf8 } from './utf8-decoder.js';

export interface MatcherOptions {
  /** A match must fit in this many characters of the latest output (default 64 Ki). */
  windowChars?: number;
  /** The regex runs again once this much text has come since it last ran (default a quarter of the window). */
  batchChars?: number;
}

export interface Match {
  match: RegExpExecArray;
  /** Bytes of output (lost ones not counted) up to and including the match. */
  endByte: number;
}

export const DEFAULT_WINDOW_CHARS = 64 * 1024;

export class ExpectMatcher {
  readonly #regex: RegExp;
  readonly #windowChars: number;
  readonly #batchChars: number;
  readonly #decoder = new Utf8Decoder();
  /** The text the regex runs over, and where it starts in the output's bytes. */
  #window = '';
  #windowByte = 0;
  /** Indexes in #window of U+FFFD characters that each stand for one invalid byte (1 byte, not 3). */
  #invalid: number[] = [];
  #unscanned = 0;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #found: Match | null = null;
  /** Characters the regex has been run over, in all: the test of linear time counts this. */
  work = 0;

  constructor(regex: RegExp, options: MatcherOptions = {}) {
    this.#regex = regex;
    this.#windowChars = options.windowChars ?? DEFAULT_WINDOW_CHARS;
    this.#batchChars = options.batchChars ?? Math.max(1, Math.floor(this.#windowChars / 4));
  }

  get match(): Match | null {
    return this.#found;
  }

  /** Text has come that the regex has not been run over yet: call scan() soon (the caller keeps a short timer). */
  get pending(): boolean {
    return this.#found === null && this.#unscanned > 0;
  }

  /** Adds output; runs the regex when a batch is full. Returns the match once there is one (output after it is kept out). */
  push(chunk: Uint8Array): Match | null {
    if (this.#found) return this.#found;
    const bytes = Buffer.from(chunk);
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    this.#append(this.#decoder.decode(bytes));
    return this.#unscanned >= this.#batchChars ? this.scan() : null;
  }

  /** Runs the regex over the window now (an empty pattern matches before any output). */
  scan(): Match | null {
    if (this.#found) return this.#found;
    this.#unscanned = 0;
    this.work += this.#window.length;
    this.#regex.lastIndex = 0;
    const m = this.#regex.exec(this.#window);
    if (m) {
      let end = m.index + m[0].length;
      if (isHighSurrogate(this.#window.charCodeAt(end - 1))) end++; // never end between the halves of a character
      this.#found = { match: m, endByte: this.#windowByte + this.#bytesOf(end) };
      return this.#found;
    }
    this.#trim();
    return null;
  }

  /** Output the daemon could not deliver: what came before is scanned, and no match spans the hole. */
  gap(): Match | null {
    this.#append(this.#decoder.flush());
    const found = this.scan();
    if (found) return found;
    this.#windowByte += this.#bytesOf(this.#window.length);
    this.#window = '';
    this.#invalid = [];
    return null;
  }

  /** The output bytes seen: up to the end of the match, or all of them while there is none. */
  get seenBytes(): Buffer {
    const all = Buffer.concat(this.#chunks);
    return this.#found ? all.subarray(0, this.#found.endByte) : all;
  }

  get seenByteCount(): number {
    return this.#found ? this.#found.endByte : this.#bytes;
  }

  /** The same as text (bytes that are not UTF-8 as U+FFFD). */
  get seenText(): string {
    return decodeUtf8(this.seenBytes);
  }

  #append({ text, invalid }: { text: string; invalid: number[] }): void {
    for (const i of invalid) this.#invalid.push(this.#window.length + i);
    this.#window += text;
    this.#unscanned += text.length;
  }

  /** Keeps the last windowChars characters; what goes is counted into where the window starts. */
  #trim(): void {
    let cut = this.#window.length - this.#windowChars;
    if (cut <= 0) return;
    if (isLowSurrogate(this.#window.charCodeAt(cut))) cut++;
    this.#windowByte += this.#bytesOf(cut);
    this.#window = this.#window.slice(cut);
    this.#invalid = this.#invalid.filter((i) => i >= cut).map((i) => i - cut);
  }

  /** UTF-8 bytes of the window's first `chars` characters: as encoded, less 2 for each U+FFFD that was one byte. */
  #bytesOf(chars: number): number {
    let replaced = 0;
    for (const i of this.#invalid) if (i < chars) replaced++;
    return Buffer.byteLength(this.#window.slice(0, chars), 'utf8') - 2 * replaced;
  }
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
