// The real terminal behind the console: stdin in raw mode (every key is a byte, Ctrl-C included), stdout written
// synchronously (a TTY on Linux), and its size.
import type { TerminalOut } from './screen.js';

export interface ConsoleTerminal extends TerminalOut {
  /** Raw mode on; typed bytes go to `onInput`. */
  start(onInput: (chunk: Buffer) => void): void;
  /** Raw mode off and input released, as the shell expects it back. */
  stop(): void;
  pauseInput(): void;
  resumeInput(): void;
  /** Calls `fn` after each resize; returns the unsubscribe. */
  onResize(fn: () => void): () => void;
}

export function processTerminal(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): ConsoleTerminal {
  let listener: ((chunk: Buffer) => void) | null = null;
  return {
    get columns() {
      return stdout.columns || 80;
    },
    get rows() {
      return stdout.rows || 24;
    },
    write: (data) => void stdout.write(data),
    start(onInput) {
      listener = onInput;
      stdin.setRawMode(true);
      stdin.on('data', onInput);
      stdin.resume();
    },
    stop() {
      if (listener) stdin.off('data', listener);
      listener = null;
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    },
    pauseInput: () => void stdin.pause(),
    resumeInput: () => void stdin.resume(),
    onResize(fn) {
      stdout.on('resize', fn);
      return () => void stdout.off('resize', fn);
    },
  };
}
