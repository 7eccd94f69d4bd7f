// An append-only JSON-lines file with group commit: lines appended while a group is being committed share the next
// fsync, made on a writer thread (`journal-writer.ts`); a torn last line is cut.
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { JournalWriter } from './journal-writer.js';

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
  /** The writer of the file as it is now (a replace retires it: its file is the old one). */
  private writer: JournalWriter | null = null;
  /** Lines waiting to be handed to a writer. */
  private next: Batch | null = null;
  /** The group a writer has: one at a time, so that the lines appended meanwhile share the next sync. */
  private inFlight: { batch: Batch; seq: number; writer: JournalWriter } | null = null;
  private readonly idle: Array<() => void> = [];
  private scheduled = false;
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

  /** Appends one line; resolves once it is on disk (fsync), committed with whatever else was appended meanwhile. */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the journal is closed (the daemon is stopping)'));
    const batch = (this.next ??= newBatch());
    batch.lines.push(line);
    // The lines of this turn of the event loop join the group, unless a request read sooner hands it over (`reap`).
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.reap();
      });
    }
    return batch.done;
  }

  /** Answers the group its writer has committed, and hands over the next. Cheap: the daemon calls it at every request. */
  reap(): void {
    if (this.inFlight?.writer.done(this.inFlight.seq)) this.settle(null);
    if (this.inFlight || !this.next) return;
    const batch = this.next;
    this.next = null;
    const data = batch.lines.join('\n') + '\n';
    if (this.writer && !this.writer.alive) this.writer = null; // it died: its group was told failed
    const writer = (this.writer ??= this.startWriter());
    if (writer.fits(data)) this.inFlight = { batch, seq: writer.write(data), writer };
    else this.writeHere(batch, data);
  }

  private startWriter(): JournalWriter {
    const writer: JournalWriter = new JournalWriter(this.path, (seq, err) => {
      if (this.inFlight?.writer !== writer || this.inFlight.seq !== seq) return;
      this.settle(err ?? null);
      this.reap();
    });
    return writer;
  }

  private settle(err: Error | null): void {
    const { batch, writer } = this.inFlight!;
    this.inFlight = null;
    if (writer !== this.writer) void writer.close();
    if (err) this.failed(batch, err);
    else batch.resolve();
    if (!this.next) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** A group too large for a writer's buffer (a burst of over a thousand sessions): written on this thread. */
  private writeHere(batch: Batch, data: string): void {
    try {
      const fd = openSync(this.path, 'a', 0o600);
      try {
        writeSync(fd, data);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      batch.resolve();
    } catch (err) {
      this.failed(batch, err as Error);
    }
  }

  private failed(batch: Batch, err: Error): void {
    this.log(`journal: writing failed: ${err.message}`);
    batch.reject(err);
  }

  /** Resolves once everything appended so far is on disk. */
  settled(): Promise<void> {
    this.reap();
    if (!this.inFlight && !this.next) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Atomically replaces the file with these lines (written, synced, renamed over) — a snapshot of everything appended
   * so far. It waits for nothing: a group being committed to the old file is in the snapshot too, and lines appended
   * after go to the new file.
   */
  async replace(lines: string[]): Promise<void> {
    if (this.closed) throw new Error('the journal is closed (the daemon is stopping)');
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    // The writer's file is the old one: it is closed once its group is done, and the next group starts a new one.
    const old = this.writer;
    this.writer = null;
    if (old && this.inFlight?.writer !== old) await old.close();
  }

  /** Writes under way finish; none is taken after (it would make the file again, beside whoever removes it). */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    const writer = this.writer;
    this.writer = null;
    await writer?.close();
  }
}
