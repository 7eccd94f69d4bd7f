// One timer for every deadline in the daemon: a min-heap keyed by name, so 1,000 sessions cost no work per second.
import type { Clock, TimerHandle } from '../../shared/clock.js';

interface Entry {
  at: number;
  key: string;
  fn: (at: number) => void;
  seq: number;
}

/** setTimeout's longest delay (about 24.8 days); longer waits re-arm. */
const MAX_DELAY = 2 ** 31 - 1;

export class DeadlineScheduler {
  private heap: Entry[] = [];
  private readonly live = new Map<string, Entry>();
  private timer: TimerHandle | null = null;
  private armedAt = Infinity;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  /** Runs fn(at) once the clock reaches `at`; replaces any earlier deadline with the same key. */
  schedule(key: string, at: number, fn: (at: number) => void): void {
    const entry: Entry = { at, key, fn, seq: this.seq++ };
    this.live.set(key, entry);
    this.push(entry);
    if (at < this.armedAt) this.arm();
  }

  cancel(key: string): void {
    this.live.delete(key);
  }

  cancelPrefix(prefix: string): void {
    for (const key of this.live.keys()) if (key.startsWith(prefix)) this.live.delete(key);
  }

  has(key: string): boolean {
    return this.live.has(key);
  }

  get size(): number {
    return this.live.size;
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
    this.heap = [];
    this.live.clear();
  }

  /** Fires every deadline that is due, earliest first; a callback may schedule more. */
  runDue(): void {
    const now = this.clock.now();
    for (;;) {
      const top = this.peekLive();
      if (!top || top.at > now) break;
      this.pop();
      this.live.delete(top.key);
      top.fn(top.at);
    }
    this.arm();
  }

  private arm(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const top = this.peekLive();
    this.armedAt = top ? top.at : Infinity;
    if (!top) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, top.at - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.armedAt = Infinity;
      this.runDue();
    }, delay);
    this.timer.unref?.();
  }

  /** Drops replaced or cancelled entries lying on top of the heap. */
  private peekLive(): Entry | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.live.get(top.key) === top) return top;
      this.pop();
    }
    return undefined;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
