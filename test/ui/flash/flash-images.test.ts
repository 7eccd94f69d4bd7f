import { describe, expect, it } from 'vitest';
import { imagesHeader, overLimit, parseOffset } from '../../../src/ui/flash/flash-images.js';
import { bytes } from '../../../src/ui/lib/format.js';

describe('a flash request from the page', () => {
  it('reads offsets as `fbay flash` does: hex or decimal, empty for by-kind', () => {
    expect(parseOffset('0x10000')).toBe(0x10000);
    expect(parseOffset(' 32768 ')).toBe(32768);
    expect(parseOffset('')).toBeNull();
    expect(parseOffset('0x')).toBeUndefined();
    expect(parseOffset('-1')).toBeUndefined();
    expect(parseOffset('1e5')).toBeUndefined();
  });

  it('describes the images in an ASCII header, whatever the file names', () => {
    const header = imagesHeader([{ name: 'Прошивка.bin', size: 4, offset: null }]);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(header)).toEqual([{ name: 'Прошивка.bin', size: 4, offset: null }]);
  });

  it("is over the limit when one image or all of them do not fit the board's flash", () => {
    expect(overLimit([9 * 1024 * 1024], 8 * 1024 * 1024)).toBe(true);
    expect(overLimit([5 * 1024 * 1024, 4 * 1024 * 1024], 8 * 1024 * 1024)).toBe(true);
    expect(overLimit([1024], 8 * 1024 * 1024)).toBe(false);
    expect(overLimit([1e12], null)).toBe(false); // not known here: the daemon decides
    expect([bytes(8 * 1024 * 1024), bytes(100 * 1024 * 1024), bytes(131072), bytes(1536), bytes(30)]).toEqual(['8 MiB', '100 MiB', '128 KiB', '1.5 KiB', '30 bytes']);
  });
});
