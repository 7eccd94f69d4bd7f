// `l` in the console: board output, byte for byte as received, appended to a file in the current directory.
import { createWriteStream, type WriteStream } from 'node:fs';
import { relative, resolve, sep } from 'node:path';

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

  #closed: Promise<void> | null = null;

  /** Flushes and closes the file; the same promise every time. */
  close(): Promise<void> {
    this.#closed ??= new Promise((done) => this.#stream.end(() => done()));
    return this.#closed;
  }
}

/** The path as the status line shows it: relative to the current directory when it is inside it (shorter). */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? `.${sep}${rel}` : path;
}
