// `l` in the console: board output, byte for byte as received, appended to a file in the current directory.
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';

/** fbay-<session>-<YYYYMMDD-HHMMSS>.log, like tio's default log name. */
export function logFileName(sessionId: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `fbay-${sessionId}-${stamp}.log`;
}

export class LogFile {
  readonly path: string;
  readonly #stream: WriteStream;
  #error: Error | null = null;

  constructor(path: string, onError: (err: Error) => void) {
    this.path = resolve(path);
    this.#stream = createWriteStream(this.path, { flags: 'a' });
    this.#stream.on('error', (err) => {
      this.#error = err;
      onError(err);
    });
  }

  write(chunk: Buffer): void {
    if (!this.#error) this.#stream.write(chunk);
  }

  close(): Promise<void> {
    return new Promise((done) => this.#stream.end(() => done()));
  }
}
