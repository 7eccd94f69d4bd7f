import { describe, expect, it } from 'vitest';
import { ByteRing } from '../../../src/transport/serial/byte-ring.js';

/** The bytes 0..n-1 of a deterministic stream, so any slice can be checked against the source. */
const source = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

describe('ByteRing', () => {
  it('replays everything from an offset while it is still held', () => {
    const ring = new ByteRing(1024);
    const src = source(900);
    ring.push(src.subarray(0, 300));
    ring.push(src.subarray(300, 900));
    expect(ring.end).toBe(900);
    expect(ring.start).toBe(0);
    expect(ring.since(0)).toEqual({ lost: 0, data: src });
    expect(ring.since(850).data.equals(src.subarray(850))).toBe(true);
    expect(ring.since(900).data.length).toBe(0);
    expect(ring.since(5000)).toEqual({ lost: 0, data: Buffer.alloc(0) });
  });

  it('keeps exactly the last `capacity` bytes across wrap-arounds and growth, and reports what is gone', () => {
    const ring = new ByteRing(10_000);
    const src = source(123_457);
    let at = 0;
    for (const size of [1, 17, 4095, 4097, 333, 9999, 10_000, 10_001, 50_000]) {
      ring.push(src.subarray(at, at + size));
      at += size;
      const held = Math.min(at, 10_000);
      expect(ring.start).toBe(at - held);
      const { lost, data } = ring.since(0);
      expect(lost).toBe(at - held);
      expect(data.equals(src.subarray(at - held, at))).toBe(true);
    }
    const last = ring.since(at - 1234);
    expect(last.lost).toBe(0);
    expect(last.data.equals(src.subarray(at - 1234, at))).toBe(true);
  });

  it('allocates lazily: an empty ring holds no buffer, a quiet one a small one', () => {
    const ring = new ByteRing(1024 * 1024);
    expect(ring.since(0).data.length).toBe(0);
    ring.push(Buffer.from('hello'));
    expect(ring.since(0).data.toString()).toBe('hello');
    expect(() => new ByteRing(0)).toThrow(RangeError);
  });

  it('returns a copy that later pushes do not overwrite', () => {
    const ring = new ByteRing(4096);
    ring.push(Buffer.alloc(4096, 'a'));
    const { data } = ring.since(0);
    ring.push(Buffer.alloc(4096, 'b'));
    expect(data.every((b) => b === 0x61)).toBe(true);
  });
});
