// Test helper: gathers everything a readable stream emits and waits (on 'data' events, never on time) for a condition.
import type { Readable } from 'node:stream';

export interface StreamReader {
  bytes(): Buffer;
  text(): string;
  /** Resolves once the gathered text satisfies `done` (checked now and on each chunk). */
  until(done: (text: string) => boolean): Promise<string>;
  /** Forgets what was gathered so far. */
  reset(): void;
}

export function readStream(stream: Readable): StreamReader {
  let chunks: Buffer[] = [];
  let waiters: Array<() => void> = [];
  stream.on('data', (chunk: Buffer) => {
    chunks.push(Buffer.from(chunk));
    const current = waiters;
    waiters = [];
    current.forEach((w) => w());
  });
  const bytes = () => Buffer.concat(chunks);
  const text = () => bytes().toString('utf8');
  return {
    bytes,
    text,
    reset: () => {
      chunks = [];
    },
    until: (done) =>
      new Promise((resolve) => {
        const check = () => {
          const t = text();
          if (done(t)) resolve(t);
          else waiters.push(check);
        };
        check();
      }),
  };
}
