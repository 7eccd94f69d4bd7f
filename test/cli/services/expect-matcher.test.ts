import { describe, expect, it } from 'vitest';
import { ExpectMatcher } from '../../../src/cli/services/expect-matcher.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('ExpectMatcher', () => {
  it('finds a match split across chunks and keeps the bytes seen up to its end', () => {
    const m = new ExpectMatcher(/login: (\w+)\r\n/);
    for (const part of ['boot...\r\nlog', 'in: ro', 'ot\r', '\nafter the match']) m.push(utf8(part));
    const found = m.scan();
    expect(found?.match[1]).toBe('root');
    expect(m.seenBytes.toString()).toBe('boot...\r\nlogin: root\r\n');
    expect(m.push(utf8('more'))).toBe(found);
  });

  it('matches UTF-8 text, characters split across chunks included, with the end offset in bytes', () => {
    const m = new ExpectMatcher(/wörld 🚀/u);
    const output = utf8('> héllo wörld 🚀\r\n');
    for (const b of output) m.push(Buffer.of(b));
    const found = m.scan();
    expect(found?.match[0]).toBe('wörld 🚀');
    expect(found?.endByte).toBe(utf8('> héllo wörld 🚀').length);
    expect(m.seenText).toBe('> héllo wörld 🚀');
  });

  it('matches a byte that is not UTF-8 as U+FFFD and counts it as one byte', () => {
    const m = new ExpectMatcher(/\ufffd\(ok/);
    m.push(Buffer.from([0x41, 0xff, 0xc3, 0x28, 0x6f, 0x6b, 0x21]));
    const found = m.scan();
    expect(found?.match.index).toBe(2);
    expect(found?.endByte).toBe(6);
    expect(m.seenBytes).toEqual(Buffer.from([0x41, 0xff, 0xc3, 0x28, 0x6f, 0x6b]));
  });

  it('lets an empty pattern match before any output', () => {
    expect(new ExpectMatcher(/x*/).scan()?.match[0]).toBe('');
  });

  it('finds a match as long as the window, across many batches, and none across a gap', () => {
    const m = new ExpectMatcher(/BEGIN x+ END/, { windowChars: 4096 });
    m.push(utf8('noise '.repeat(2000)));
    m.push(utf8('BEGIN '));
    for (let i = 0; i < 40; i++) m.push(utf8('x'.repeat(100)));
    expect(m.push(utf8(' END'))?.endByte ?? m.scan()?.endByte).toBe(12_000 + 6 + 4000 + 4);

    const cut = new ExpectMatcher(/ab/);
    cut.push(utf8('a'));
    expect(cut.gap()).toBeNull();
    cut.push(utf8('b'));
    expect(cut.scan()).toBeNull();
  });

  it('scans a 10 MB transcript in linear time: work per byte stays flat from 1 MB to 10 MB, whatever the chunk size', () => {
    const workPerChar = (megabytes: number, chunk: number) => {
      const m = new ExpectMatcher(/never-printed/);
      const piece = utf8('boot line 0123456789 héllo wörld\r\n'.repeat(Math.ceil(chunk / 34))).subarray(0, chunk);
      const total = megabytes * 1024 * 1024;
      for (let n = 0; n < total; n += chunk) m.push(piece);
      m.scan();
      expect(m.match).toBeNull();
      return m.work / total;
    };
    const small = workPerChar(1, 1024);
    const large = workPerChar(10, 1024);
    // Each character is looked at a bounded number of times (window / batch + 1 = 5), not once per chunk after it.
    expect(large).toBeLessThan(6);
    expect(Math.abs(large - small)).toBeLessThan(0.5);
    expect(workPerChar(0.25, 1)).toBeLessThan(6); // one byte a chunk costs no more per byte
  });
});
