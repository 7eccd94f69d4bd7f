// An append-only JSON-lines file with group commit: lines written together share one fsync; a torn last line is cut.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

interface Batch {
  lines: string[];
  done: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  done.catch(() => undefined);
  return { lines: [], done, resolve, reject };
}

export class JournalFile {
  private handle: Promise<FileHandle> | null = null;
  /** Lines waiting for the next commit. */
  private next: Batch | null = null;
  /** The commit under way: new lines wait for the one after it. */
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Every whole line; a last line cut short by a crash mid-write is dropped (and cut from the file) with a log line. */
  readLines(): string[] {
    if (!existsSync(this.path)) return [];
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    const tail = lines.pop()!;
    if (tail !== '') {
      this.log(`journal: dropped a torn last line (${Buffer.byteLength(tail)} bytes, cut short by a crash mid-write); everything before it is kept`);
      truncateSync(this.path, Buffer.byteLength(text) - Buffer.byteLength(tail));
    }
    return lines.filter((l) => l !== '');
  }

  /** Appends one line; resolves once it is on disk (fsync), committed with whatever else was written meanwhile. */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the journal is closed (the daemon is stopping)'));
    const batch = (this.next ??= newBatch());
    batch.lines.push(line);
    if (!this.flushing) this.flushing = this.commitLoop();
    return batch.done;
  }

  /** Resolves once everything appended so far is on disk. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async commitLoop(): Promise<void> {
    // Let the requests of this turn of the event loop join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.next) {
      const batch = this.next;
      this.next = null;
      try {
        const fh = await (this.handle ??= open(this.path, 'a', 0o600));
        await fh.write(batch.lines.join('\n') + '\n');
        await fh.datasync();
        batch.resolve();
      } catch (err) {
        this.log(`journal: writing failed: ${(err as Error).message}`);
        batch.reject(err as Error);
      }
    }
    this.flushing = null;
  }

  /** Atomically replaces the file with these lines (written, synced, renamed over). */
  async replace(lines: string[]): Promise<void> {
    if (this.closed) throw new Error('the journal is closed (the daemon is stopping)');
    await this.settled();
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    await this.closeHandle();
    renameSync(tmp, this.path);
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await (await handle).close();
  }

  /** Writes under way finish; none is taken after (it would make the file again, beside whoever removes it). */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    await this.closeHandle();
  }
}
