// A virtual board's UART wire at its baud rate: 10 bits a byte each way, so transfer figures mean what they would on a board.

/** When things happen on the wire; sub-millisecond, because a 14-byte answer at 921600 baud takes 0.15 ms. */
export interface LineTimer {
  now(): number;
  /** Calls `fn` once `due` has passed; returns a cancel function. Never calls it synchronously. */
  at(due: number, fn: () => void): () => void;
}

/** setTimeout to within a couple of milliseconds, then setImmediate turns: timers alone round every wait up to 1 ms. */
export const preciseTimer: LineTimer = {
  now: () => performance.now(),
  at(due, fn) {
    let cancelled = false;
    let timer: NodeJS.Timeout | null = null;
    const check = () => {
      timer = null;
      if (cancelled) return;
      const left = due - performance.now();
      if (left <= 0) fn();
      else if (left > 4) timer = setTimeout(check, left - 3);
      else setImmediate(check);
    };
    setImmediate(check);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  },
};

/** Output this soon after a delivery is the chip's answer to it. */
const ANSWER_WINDOW_MS = 20;

/** What a host write may have outstanding before write() waits: a tty's transmit buffer. */
export const TX_BUFFER_BYTES = 4096;

/**
 * Each direction is a cursor in time: when the wire is next free. Bytes written arrive at the chip when their last
 * bit has; output becomes readable as it is transmitted. A late timer does not slow the line: the next transfer is
 * scheduled from the cursor, not from when the timer ran.
 */
export class PacedLine {
  #rxFree = 0;
  #txFree = 0;
  #deliveries: Array<{ due: number; data: Uint8Array; deliver: (d: Uint8Array) => void }> = [];
  #cancelDelivery: (() => void) | null = null;
  #cancelWake: (() => void) | null = null;
  #closed = false;
  /** When the last delivery ran, and when its bytes had arrived: see outputAppeared(). */
  #deliveredAt = -Infinity;
  #arrivedAt = 0;

  constructor(
    private readonly baud: () => number,
    private readonly timer: LineTimer = preciseTimer,
  ) {}

  #bytesPerMs(): number {
    return this.baud() / 10 / 1000;
  }

  /** Host → chip: `deliver` runs when the bytes have crossed; resolves once the tty would take more. */
  send(data: Uint8Array, deliver: (d: Uint8Array) => void): Promise<void> {
    const now = this.timer.now();
    const start = Math.max(now, this.#rxFree);
    this.#rxFree = start + data.length / this.#bytesPerMs();
    this.#deliveries.push({ due: this.#rxFree, data, deliver });
    if (!this.#cancelDelivery) this.#armDelivery();
    const writable = this.#rxFree - TX_BUFFER_BYTES / this.#bytesPerMs();
    if (writable <= now) return Promise.resolve();
    return new Promise((resolve) => this.timer.at(writable, resolve));
  }

  /**
   * Chip → host: output appeared; if the wire was idle, it starts sending now. An answer to bytes just delivered
   * starts when they arrived: the simulated chip takes no time to answer (its flash is instant too), and it is not
   * late because this process's timers or zlib's thread pool were.
   */
  outputAppeared(): void {
    const now = this.timer.now();
    this.#txFree = Math.max(this.#txFree, now - this.#deliveredAt < ANSWER_WINDOW_MS ? this.#arrivedAt : now);
  }

  /**
   * How many of `want` bytes have been transmitted by now (0: call `wake` and ask again). Small answers come whole,
   * large output in pieces of about 20 ms of line time.
   */
  transmitted(want: number): number {
    const chunk = Math.max(1, Math.min(want, Math.ceil(this.#bytesPerMs() * 20)));
    const due = this.#txFree + chunk / this.#bytesPerMs();
    return this.timer.now() >= due ? chunk : 0;
  }

  /** `n` bytes were read: the wire is busy with the next ones from where it stopped. */
  took(n: number): void {
    this.#txFree += n / this.#bytesPerMs();
  }

  /** Calls `fn` when `want` more bytes will have been transmitted. One wake at a time. */
  wake(want: number, fn: () => void): void {
    if (this.#cancelWake || this.#closed) return;
    const chunk = Math.max(1, Math.min(want, Math.ceil(this.#bytesPerMs() * 20)));
    this.#cancelWake = this.timer.at(this.#txFree + chunk / this.#bytesPerMs(), () => {
      this.#cancelWake = null;
      fn();
    });
  }

  close(): void {
    this.#closed = true;
    this.#deliveries = [];
    this.#cancelDelivery?.();
    this.#cancelWake?.();
    this.#cancelDelivery = this.#cancelWake = null;
  }

  #armDelivery(): void {
    const head = this.#deliveries[0];
    if (!head || this.#closed) return;
    this.#cancelDelivery = this.timer.at(head.due, () => {
      this.#cancelDelivery = null;
      const now = this.timer.now();
      while (this.#deliveries.length > 0 && this.#deliveries[0]!.due <= now) {
        const d = this.#deliveries.shift()!;
        this.#deliveredAt = now;
        this.#arrivedAt = d.due;
        d.deliver(d.data);
      }
      this.#armDelivery();
    });
  }
}
