// Where serial bytes go: stdout exactly as received, never through a text encoding.
import type { Io } from '../context.js';

export type ByteSink = (chunk: Uint8Array) => void;

/** An Io that can also take raw bytes (tests capture them this way); the real CLI's Io only prints text. */
export interface ByteIo extends Io {
  bytes?(chunk: Uint8Array): void;
}

/** `io.bytes` when the Io has it, else process.stdout (a pipe or file there is written synchronously on Linux). */
export function byteSink(io: ByteIo): ByteSink {
  if (io.bytes) return (chunk) => io.bytes!(chunk);
  return (chunk) => void process.stdout.write(chunk);
}
