// A session's serial transcript on disk: every byte the board sent, at its offset, for GET …/log and old replays.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Past this a session's transcript stops growing; the replay ring still holds the newest output. */
export const MAX_TRANSCRIPT_BYTES = 256 * 1024 * 1024;

export class Transcript {
  /** Opened on the first write (a session whose board says nothing costs no file handle). */
  private fd = -1;
  private size: number;
  /** The offset of the file's first byte: above 0 once the file had to be made anew (its state dir was deleted). */
  private base = 0;

  constructor(
    readonly file: string,
    private readonly cap = MAX_TRANSCRIPT_BYTES,
  ) {
    this.size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  }

  /** Offset just past the last byte written. */
  get length(): number {
    return this.size;
  }

  private handle(): number {
    if (this.fd < 0) {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.file, 'a+', 0o600);
    }
    return this.fd;
  }

  /** Appends board output; a write is one syscall so the file always ends on a chunk boundary. */
  append(chunk: Buffer): void {
    if (this.size >= this.cap) return;
    const part = this.size + chunk.length > this.cap ? chunk.subarray(0, this.cap - this.size) : chunk;
    writeSync(this.handle(), part);
    this.size += part.length;
  }

  /** Bytes [from, to) as far as the file has them. */
  read(from: number, to = this.size): Buffer {
    const start = Math.max(from, this.base);
    const end = Math.min(to, this.size);
    if (start >= end || (this.fd < 0 && !existsSync(this.file))) return Buffer.alloc(0);
    const fd = this.handle();
    const buf = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, start - this.base + done);
      if (n === 0) break;
      done += n;
    }
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  /** Whether the file under the open handle is still the one at `file` (a deleted state dir takes it away). */
  get detached(): boolean {
    return this.fd >= 0 && fstatSync(this.fd).nlink === 0;
  }

  /** Starts a new file at the current offset; returns how many earlier bytes are gone with the old one. */
  reopen(): number {
    this.close();
    const lost = this.size - this.base;
    this.base = this.size;
    return lost;
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
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      const id = name.replace(/\.log$/, '');
      if (name.endsWith('.log') && !keep(id)) rmSync(join(this.dir, name), { force: true });
    }
  }
}
