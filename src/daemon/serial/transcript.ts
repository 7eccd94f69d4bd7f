// A session's serial transcript on disk: every byte the board sent, at its offset, for GET …/log and old replays.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WriteBehind } from './write-behind.js';

/** Past this a session's transcript stops growing; the replay ring still holds the newest output. */
export const MAX_TRANSCRIPT_BYTES = 256 * 1024 * 1024;

/** Output the disk has not taken yet, past which the transcript stops growing (as at its cap): a stalled disk does
 *  not hold the daemon's memory. The replay ring still holds the newest output. */
export const MAX_BEHIND_BYTES = 32 * 1024 * 1024;

export class Transcript {
  /** Opened on the first write or read (a session whose board says nothing costs no file handle). */
  private writer: WriteBehind | null = null;
  /** Offset just past the last byte taken: on disk, or queued to be. */
  private size: number;
  /** The offset of the file's first byte: above 0 once the file had to be made anew (its state dir was deleted). */
  private base = 0;
  private closing: Promise<void> | null = null;

  constructor(
    readonly file: string,
    private cap = MAX_TRANSCRIPT_BYTES,
  ) {
    this.size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  }

  /** Offset just past the last byte taken. */
  get length(): number {
    return this.size;
  }

  private open(): WriteBehind {
    if (!this.writer) {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      // A write that fails (a full disk) ends the transcript where the file ends; the live line is fine.
      this.writer = new WriteBehind(openSync(this.file, 'a+', 0o600), (_err, lost) => {
        this.size -= lost;
        this.cap = this.size;
      });
    }
    return this.writer;
  }

  /** Appends board output; it reaches the file in order, written behind (see `written`). */
  append(chunk: Buffer): void {
    if (this.size >= this.cap || this.closing) return;
    const part = this.size + chunk.length > this.cap ? chunk.subarray(0, this.cap - this.size) : chunk;
    const writer = this.open();
    if (writer.queued + part.length > MAX_BEHIND_BYTES) {
      this.cap = this.size;
      return;
    }
    writer.push(part);
    this.size += part.length;
  }

  /** Resolves once every byte taken so far is in the file (for readers of the file itself: GET …/log). */
  written(): Promise<void> {
    return this.writer?.written() ?? Promise.resolve();
  }

  /** Bytes [from, to) as far as the transcript has them: from the file, and the newest from what is still queued. */
  read(from: number, to = this.size): Buffer {
    const start = Math.max(from, this.base);
    const end = Math.min(to, this.size);
    if (start >= end || (!this.writer && !existsSync(this.file))) return Buffer.alloc(0);
    const queued = this.writer?.queued ?? 0;
    const onDisk = Math.min(end, this.size - queued);
    const buf = Buffer.allocUnsafe(end - start);
    let done = 0;
    if (start < onDisk) {
      const fd = this.writer?.fd ?? openSync(this.file, 'r');
      try {
        while (start + done < onDisk) {
          const n = readSync(fd, buf, done, onDisk - start - done, start - this.base + done);
          if (n === 0) return buf.subarray(0, done);
          done += n;
        }
      } finally {
        if (fd !== this.writer?.fd) closeSync(fd);
      }
    }
    if (start + done < end) this.writer!.copyQueued(start + done - (this.size - queued), end - start - done, buf, done);
    return buf;
  }

  /** Whether the file under the open handle is still the one at `file` (a deleted state dir takes it away). */
  get detached(): boolean {
    return this.writer !== null && fstatSync(this.writer.fd).nlink === 0;
  }

  /** Starts a new file at the current offset; returns how many earlier bytes are gone with the old one. */
  reopen(): number {
    void this.writer?.end();
    this.writer = null;
    const lost = this.size - this.base;
    this.base = this.size;
    return lost;
  }

  /** Resolves once everything taken is in the file and the file is closed. */
  close(): Promise<void> {
    this.closing ??= (this.writer?.end() ?? Promise.resolve()).finally(() => (this.writer = null));
    return this.closing;
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
