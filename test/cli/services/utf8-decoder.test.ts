import { describe, expect, it } from 'vitest';
import { decodeUtf8, Utf8Decoder } from '../../../src/cli/services/utf8-decoder.js';

const bytes = (...b: number[]) => Buffer.from(b);

describe('Utf8Decoder', () => {
  it('keeps a character split across chunks whole', () => {
    const text = Buffer.from('héllo wörld 🚀', 'utf8');
    const d = new Utf8Decoder();
    const parts = [...text].map((b) => d.decode(bytes(b)));
    expect(parts.map((p) => p.text).join('')).toBe('héllo wörld 🚀');
    expect(parts.every((p) => p.invalid.length === 0)).toBe(true);
  });

  it('reads each byte that is not valid UTF-8 as one U+FFFD, and says where they are', () => {
    const d = new Utf8Decoder();
    // A stray continuation, an overlong NUL, a surrogate, a cut-off character before ASCII, a byte never in UTF-8.
    const out = d.decode(bytes(0x41, 0x80, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82, 0x42, 0xff, 0xc3, 0xa9));
    expect(out.text).toBe('A\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffdB\ufffdé');
    expect(out.invalid).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10]);
  });

  it('tells a U+FFFD in the input from one it made', () => {
    expect(new Utf8Decoder().decode(Buffer.from('a\ufffdb', 'utf8'))).toEqual({ text: 'a\ufffdb', invalid: [] });
  });

  it('holds an incomplete character for the next chunk, and flush() gives it up as invalid bytes', () => {
    const d = new Utf8Decoder();
    expect(d.decode(bytes(0x61, 0xf0, 0x9f))).toEqual({ text: 'a', invalid: [] });
    expect(d.flush()).toEqual({ text: '\ufffd\ufffd', invalid: [0, 1] });
    expect(decodeUtf8(bytes(0xe2, 0x82))).toBe('\ufffd\ufffd');
  });
});
