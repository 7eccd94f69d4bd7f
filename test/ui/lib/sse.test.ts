import { describe, expect, it } from 'vitest';
import { SseParser, stripAnsi } from '../../../src/ui/lib/sse.js';

describe('SseParser', () => {
  it('reads events split anywhere across chunks, with CRLF or LF, skipping comments', () => {
    const got: Array<[string, string]> = [];
    const p = new SseParser((type, data) => got.push([type, data]));
    const stream = ': hello\n\nevent: stdout\ndata: {"a":1}\r\n\r\nevent: result\ndata: line one\ndata: line two\n\ndata: plain\n\n';
    for (let i = 0; i < stream.length; i += 3) p.push(stream.slice(i, i + 3));
    expect(got).toEqual([
      ['stdout', '{"a":1}'],
      ['result', 'line one\nline two'],
      ['message', 'plain'],
    ]);
  });

  it('waits for the LF after a CR that ends a chunk', () => {
    const got: string[] = [];
    const p = new SseParser((_t, d) => got.push(d));
    p.push('data: x\r');
    p.push('\n\r\n');
    expect(got).toEqual(['x']);
  });
});

describe('stripAnsi', () => {
  it('drops colours and cursor moves, keeps the text', () => {
    expect(stripAnsi('\x1b[1;31merror\x1b[0m: \x1b[2Kdone\x1b]0;title\x07!')).toBe('error: done!');
  });
});
