import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLastLines, readLogSince } from '../../../src/cli/client/log-tail.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync('/tmp/fbay-log-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readLastLines', () => {
  it('returns the last N lines, across read blocks and multi-byte characters', () => {
    const file = join(dir, 'big.log');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(20)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(readLastLines(file, 3)).toBe(`${lines.slice(-3).join('\n')}\n`);
    expect(readLastLines(file, 4000).split('\n').length).toBe(4001);
  });

  it('handles a missing file, no trailing newline, fewer lines than asked, and an end offset', () => {
    const file = join(dir, 'small.log');
    expect(readLastLines(file, 5)).toBe('');
    writeFileSync(file, 'a\nb\nc');
    expect(readLastLines(file, 2)).toBe('b\nc\n');
    expect(readLastLines(file, 10)).toBe('a\nb\nc\n');
    expect(readLastLines(file, 0)).toBe('');
    expect(readLastLines(file, 10, 4)).toBe('a\nb\n');
  });
});

describe('readLogSince', () => {
  it('returns only what was appended after the offset', () => {
    const file = join(dir, 'd.log');
    writeFileSync(file, 'old line\nnew 1\nnew 2\n');
    expect(readLogSince(file, 'old line\n'.length)).toBe('new 1\nnew 2\n');
    expect(readLogSince(join(dir, 'none.log'), 0)).toBe('');
  });
});
