import { describe, expect, it } from 'vitest';
import { applyLineEnding, echoOf } from '../../../src/ui/lib/line-ending.js';

describe('line endings', () => {
  it('turns Enter into the chosen ending', () => {
    expect(applyLineEnding('help\r', 'cr')).toBe('help\r');
    expect(applyLineEnding('help\r', 'lf')).toBe('help\n');
    expect(applyLineEnding('a\rb\r', 'crlf')).toBe('a\r\nb\r\n');
  });

  it('echoes Enter as a new line and Backspace as erase', () => {
    expect(echoOf('ab\x7f\r')).toBe('ab\b \b\r\n');
  });
});
