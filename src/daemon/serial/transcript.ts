// A session's serial transcript on disk: every byte the board sent, at its offset, for GET …/log and old replays.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Past this a session's transcript stops growing; the replay ring still holds the newest output. */
export const MAX_TRANSCRIPT_BYTES = 256 * 1024 * 1024;

export class Transcript {
  private fd: number;
  private size: number;

  constructor(
    readonly file: string,
    private readonly cap = MAX_TRANSCRIPT_BYTES,
  ) {
    this.fd = openSync(file, 'a+', 0o600);
    this.size = statSync(file).size;
  }

  /** Offset just past the last byte written. */
  get length(): number {
    return this.size;
  }

  /** Appends board output; a write is one syscall so the file always ends on a chunk boundary. */
  append(chunk: Buffer): void {
    if (this.size >= this.cap) return;
    const part = this.size + chunk.length > this.cap ? chunk.subarray(0, this.cap - this.size) : chunk;
    writeSync(this.fd, part);
    this.size += part.length;
  }

  /** Bytes [from, to) as far as the file has them. */
  read(from: number, to = this.size): Buffer {
    const end = Math.min(to, this.size);
    if (from >= end) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(end - from);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, from + done);
      if (n === 0) break;
      done += n;
    }
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Where transcripts live: state/sessions/<id>.log. */
export class TranscriptDir {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  path(sessionId: string): string {
    return join(this.dir, `${sessionId}.log`);
  }

  open(sessionId: string): Transcript {
    return new Transcript(this.path(sessionId));
  }

  exists(sessionId: string): boolean {
    return existsSync(this.path(sessionId));
  }

  /** Removes the transcripts of sessions the engine no longer remembers. */
  prune(keep: (sessionId: string) => boolean): void {
    for (const name of readdirSync(this.dir)) {
      const id = name.replace(/\.log$/, '');
      if (name.endsWith('.log') && !keep(id)) rmSync(join(this.dir, name), { force: true });
    }
  }
}
