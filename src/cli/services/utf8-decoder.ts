// Serial output as text for matching: UTF-8 decoded chunk by chunk (a character split across chunks is kept whole),
// and every byte that is not part of valid UTF-8 read as one U+FFFD — so offsets in bytes can be told back exactly.
import { isUtf8 } from 'node:buffer';

export const REPLACEMENT = '\ufffd';

export interface Decoded {
  text: string;
  /** Indexes in `text` of the U+FFFD characters that each stand for one invalid byte (not a U+FFFD in the input). */
  invalid: number[];
}

const EMPTY = Buffer.alloc(0);

export class Utf8Decoder {
  #pending: Buffer = EMPTY;

  /** Decodes a chunk; an incomplete sequence at its end waits for the next one (or is invalid when `final`). */
  decode(chunk: Uint8Array, final = false): Decoded {
    const bytes = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#pending = EMPTY;
    if (isUtf8(bytes)) return { text: bytes.toString('utf8'), invalid: [] };
    const parts: string[] = [];
    const invalid: number[] = [];
    let length = 0;
    const put = (s: string) => {
      parts.push(s);
      length += s.length;
    };
    const bad = () => {
      invalid.push(length);
      put(REPLACEMENT);
    };
    for (let i = 0; i < bytes.length; ) {
      const c = bytes[i]!;
      if (c < 0x80) {
        let j = i + 1;
        while (j < bytes.length && bytes[j]! < 0x80) j++;
        put(bytes.toString('latin1', i, j));
        i = j;
        continue;
      }
      const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
      if (need === 0) {
        bad();
        i++;
        continue;
      }
      // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
      const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      let k = 1;
      for (; k <= need && i + k < bytes.length; k++) {
        const b = bytes[i + k]!;
        if (k === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) break;
      }
      if (k > need) {
        put(bytes.toString('utf8', i, i + need + 1));
        i += need + 1;
      } else if (i + k === bytes.length && !final) {
        this.#pending = Buffer.from(bytes.subarray(i)); // the rest of this character is in the next chunk
        break;
      } else {
        bad(); // only the lead byte: what follows it is read again on its own
        i++;
      }
    }
    return { text: parts.join(''), invalid };
  }

  /** Bytes held for an incomplete character, as invalid ones (the output stopped or skipped here). */
  flush(): Decoded {
    return this.#pending.length > 0 ? this.decode(EMPTY, true) : { text: '', invalid: [] };
  }
}

/** The text of some bytes, at once (for `--json`'s `seen`). */
export function decodeUtf8(bytes: Uint8Array): string {
  return new Utf8Decoder().decode(bytes, true).text;
}
