import { describe, expect, it } from 'vitest';
import { applyLineEnding, nextLineEnding } from '../../../src/cli/console/line-ending.js';

describe('line endings', () => {
  it('Enter (CR) goes out as CR, LF or CRLF', () => {
    const typed = Buffer.from('help\rinfo\r', 'latin1');
    expect(applyLineEnding(typed, 'cr')).toBe(typed);
    expect(applyLineEnding(typed, 'lf').toString()).toBe('help\ninfo\n');
    expect(applyLineEnding(typed, 'crlf').toString()).toBe('help\r\ninfo\r\n');
    expect(applyLineEnding(Buffer.from('no enter'), 'crlf').toString()).toBe('no enter');
  });

  it('n cycles CR → LF → CRLF → CR', () => {
    expect(nextLineEnding('cr')).toBe('lf');
    expect(nextLineEnding('lf')).toBe('crlf');
    expect(nextLineEnding('crlf')).toBe('cr');
  });
});
