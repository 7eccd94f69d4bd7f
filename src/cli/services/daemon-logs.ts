// `fbay daemon logs`: the tail of fbayd.log, and with -f everything appended after it until Ctrl-C.
import { closeSync, mkdirSync, openSync, readSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Io } from '../context.js';
import { interrupted } from '../client/daemon-errors.js';
import { readLastLines } from '../client/log-tail.js';

export function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last lines up to byte `end`, so a follow from `end` on repeats nothing. */
export function printTail(io: Io, file: string, lines: number, end: number): void {
  io.out(readLastLines(file, lines, end));
}

/**
 * Prints what is appended to `file` from `offset` on, until the signal aborts (then rejects with exit 130). Watching
 * the directory, not the file, also catches a log that does not exist yet or that was replaced.
 */
export function followLog(io: Io, file: string, offset: number, signal: AbortSignal): Promise<never> {
  let pos = offset;
  const drain = () => {
    const size = sizeOf(file);
    if (size < pos) pos = 0; // truncated or replaced: start over
    if (size === pos) return;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - pos);
      const n = readSync(fd, buf, 0, buf.length, pos);
      pos += n;
      io.out(buf.subarray(0, n).toString('utf8'));
    } finally {
      closeSync(fd);
    }
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  return new Promise<never>((_resolve, reject) => {
    const name = basename(file);
    const watcher = watch(dirname(file), (_event, changed) => {
      if (changed === null || changed === name) drain();
    });
    const stop = (err: Error) => {
      watcher.close();
      reject(err);
    };
    watcher.on('error', stop);
    if (signal.aborted) return stop(interrupted());
    signal.addEventListener('abort', () => stop(interrupted()), { once: true });
    drain(); // anything written between the tail and the watch
  });
}
