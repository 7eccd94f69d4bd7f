// The journal's commits on a thread of their own. One group of lines at a time is handed over in shared memory; the
// thread writes and syncs it and publishes that it is on disk, where the main thread looks at every request it reads
// (`committed()`) — not only in the event loop's next poll phase, after every socket that was ready in this one. So
// under a burst of creates each answer leaves once its lines are committed, not after the burst's last request.
import { Worker } from 'node:worker_threads';

/** Control words in shared memory. */
const SENT = 0; // the last group handed over (its number)
const DONE = 1; // the last group on disk
const LENGTH = 2; // the bytes of the group handed over
const OP = 3; // what the thread is to do with it: write, or stop
const WAKE = 4; // the group whose commit is to be told by a message (the main thread may be idle)
const WRITE = 1;
const STOP = 2;
const CONTROL_BYTES = 32;
/** A group's bytes at most (a burst of ~1,500 sessions' lines); a larger group is written by the main thread. */
export const GROUP_BYTES = 1 << 20;

/** Plain JavaScript, evaluated: it runs the same from the sources (tests) and from dist. It blocks between groups. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const control = new Int32Array(workerData.shared, 0, ${CONTROL_BYTES / 4});
const bytes = new Uint8Array(workerData.shared, ${CONTROL_BYTES});
let fd = null;
let seen = 0;
for (;;) {
  Atomics.wait(control, ${SENT}, seen);
  seen = Atomics.load(control, ${SENT});
  const op = Atomics.load(control, ${OP});
  if (op === ${STOP}) break;
  try {
    if (fd === null) fd = fs.openSync(workerData.path, 'a', 0o600);
    const length = Atomics.load(control, ${LENGTH});
    for (let at = 0; at < length; ) at += fs.writeSync(fd, bytes, at, length - at);
    fs.fdatasyncSync(fd);
  } catch (err) {
    parentPort.postMessage({ seq: seen, error: err.message });
    continue;
  }
  Atomics.store(control, ${DONE}, seen);
  if (Atomics.compareExchange(control, ${WAKE}, seen, 0) === seen) parentPort.postMessage({ seq: seen });
}
if (fd !== null) fs.closeSync(fd);
`;

export class JournalWriter {
  private readonly worker: Worker;
  private readonly shared = new SharedArrayBuffer(CONTROL_BYTES + GROUP_BYTES);
  private readonly control = new Int32Array(this.shared, 0, CONTROL_BYTES / 4);
  private readonly bytes = new Uint8Array(this.shared, CONTROL_BYTES);
  private readonly encoder = new TextEncoder();
  private seq = 0;
  private readonly exited: Promise<void>;
  /** False once the thread has stopped: closed, or dead (its group is then told failed, and a new writer is needed). */
  alive = true;
  private closing = false;

  /** `told`: a group's commit (or failure), when it comes as a message: the main thread had not looked meanwhile. */
  constructor(
    path: string,
    told: (seq: number, error?: Error) => void,
    code = THREAD,
  ) {
    this.worker = new Worker(code, { eval: true, workerData: { path, shared: this.shared } });
    this.worker.unref();
    this.worker.on('message', (m: { seq: number; error?: string }) => {
      this.worker.unref();
      told(m.seq, m.error === undefined ? undefined : new Error(m.error));
    });
    let failure: Error | null = null;
    this.worker.on('error', (err) => (failure = err));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.alive = false;
        if (!this.closing) told(this.seq, new Error(`the journal's writer thread stopped (${failure?.message ?? `exit code ${code}`})`));
        resolve();
      }),
    );
  }

  /** Whether `data` fits in one group. */
  fits(data: string): boolean {
    return data.length * 3 <= GROUP_BYTES || Buffer.byteLength(data) <= GROUP_BYTES;
  }

  /** Hands one group over (the one before must be done); its number, which `done()` reaches once it is on disk. */
  write(data: string): number {
    const { written } = this.encoder.encodeInto(data, this.bytes);
    return this.hand(WRITE, written);
  }

  private hand(op: number, length: number): number {
    const seq = ++this.seq;
    this.worker.ref();
    Atomics.store(this.control, LENGTH, length);
    Atomics.store(this.control, OP, op);
    Atomics.store(this.control, WAKE, seq);
    Atomics.store(this.control, SENT, seq);
    Atomics.notify(this.control, SENT);
    return seq;
  }

  /** Whether group `seq` is on disk; once it is, no message will be needed for it (and the process may exit). */
  done(seq: number): boolean {
    if (Atomics.load(this.control, DONE) < seq) return false;
    Atomics.compareExchange(this.control, WAKE, seq, 0);
    this.worker.unref();
    return true;
  }

  /** Stops the thread (the group handed over before is done: the caller waited for it), which closes the file. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.alive) this.hand(STOP, 0);
    await this.exited;
  }
}
