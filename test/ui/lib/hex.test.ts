import { describe, expect, it } from 'vitest';
import { hexDump, RecentBytes, Utf8Check } from '../../../src/ui/lib/hex.js';

describe('hexDump', () => {
  it('prints offsets, hex and ASCII, 16 bytes a line aligned to the offset', () => {
    const lines = hexDump(Buffer.from('hello\r\n\xffworld!', 'latin1'), 0x12);
    expect(lines).toEqual([
      '00000010        68 65 6c 6c 6f 0d  0a ff 77 6f 72 6c 64 21  |  hello...world!|',
    ]);
  });
});

describe('Utf8Check', () => {
  it('counts bytes that are not UTF-8, across chunk boundaries', () => {
    const c = new Utf8Check();
    const euro = Buffer.from('€', 'utf8');
    c.push(Buffer.from('ok '));
    c.push(euro.subarray(0, 1));
    c.push(euro.subarray(1));
    expect(c.invalid).toBe(0);
    c.push(Uint8Array.of(0xff, 0x41, 0xc0, 0x80));
    expect(c.invalid).toBe(3); // 0xff, and 0xc0 0x80 (an overlong NUL: 0xc0 never starts a character)
    c.push(Uint8Array.of(0xe2, 0x82, 0x41)); // cut short by 'A'
    expect(c.invalid).toBe(5);
    c.push(Uint8Array.of(0xed, 0xa0, 0x80)); // a surrogate
    expect(c.invalid).toBe(8);
  });
});

describe('RecentBytes', () => {
  it('keeps the last bytes and the offset of the first one kept', () => {
    const r = new RecentBytes(8);
    r.push(Buffer.from('abcdef'), 6);
    r.push(Buffer.from('ghij'), 10);
    expect(Buffer.from(r.last(8).bytes).toString()).toBe('cdefghij');
    expect(r.last(3)).toEqual({ bytes: Uint8Array.from(Buffer.from('hij')), offset: 7 });
    r.push(Buffer.from('0123456789'), 20);
    expect(r.last(100)).toEqual({ bytes: Uint8Array.from(Buffer.from('23456789')), offset: 12 });
  });
});
