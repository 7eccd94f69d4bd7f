// Reads the end of the daemon log: the last N lines, or what was written since an offset.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const BLOCK = 64 * 1024;

/**
 * The last `lines` lines of a file up to byte `end` ('' when it does not exist), read backwards so a big log costs
 * little.
 */
export function readLastLines(file: string, lines: number, end = Infinity): string {
  const fd = openOrNull(file);
  if (fd === null || lines <= 0) {
    if (fd !== null) closeSync(fd);
    return '';
  }
  try {
    const size = Math.min(end, fstatSync(fd).size);
    let start = size;
    let bytes = Buffer.alloc(0);
    // One extra newline: the file's own trailing one does not end a line we want. Decoding once at the end
    // keeps a multi-byte character cut by a block boundary intact.
    while (start > 0 && countNewlines(bytes) <= lines) {
      const from = Math.max(0, start - BLOCK);
      const buf = Buffer.alloc(start - from);
      readSync(fd, buf, 0, buf.length, from);
      bytes = Buffer.concat([buf, bytes]);
      start = from;
    }
    const text = bytes.toString('utf8');
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    const tail = all.slice(-lines).join('\n');
    return tail === '' ? '' : `${tail}\n`;
  } finally {
    closeSync(fd);
  }
}

/** What was appended to a file since `offset`, at most the last `maxLines` lines. */
export function readLogSince(file: string, offset: number, maxLines = 20): string {
  const fd = openOrNull(file);
  if (fd === null) return '';
  try {
    const size = fstatSync(fd).size;
    const from = Math.max(offset, size - BLOCK);
    const buf = Buffer.alloc(Math.max(0, size - from));
    readSync(fd, buf, 0, buf.length, from);
    return buf.toString('utf8').split('\n').slice(-maxLines - 1).join('\n');
  } finally {
    closeSync(fd);
  }
}

function openOrNull(file: string): number | null {
  try {
    return openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
