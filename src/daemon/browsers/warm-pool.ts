// Browsers launched ahead of time with fresh, empty profiles, so a session that asks for nothing special starts at once.
//
// A warm browser serves exactly one session and is never given back: take() hands it out and starts its replacement
// in the background. One that dies while waiting is replaced; launches that keep failing back off.
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { StartedBrowser } from './local-browser.js';

const RETRY_MS = [1_000, 5_000, 30_000];

export interface WarmPoolDeps {
  clock: Clock;
  /** Launches one browser with a fresh profile of its own. */
  start(): Promise<StartedBrowser>;
  /** Stops one that is not wanted any more, removing its profile. */
  stop(browser: StartedBrowser): Promise<void>;
  /** The executable browsers should be of now: a warm one of another is discarded. */
  executable(): string | null;
  log(message: string): void;
}

export class WarmPool {
  private readonly ready: StartedBrowser[] = [];
  private readonly starting = new Set<Promise<void>>();
  private readonly stopping = new Set<Promise<void>>();
  private size = 0;
  private failures = 0;
  private retry: TimerHandle | null = null;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly deps: WarmPoolDeps) {}

  /** Resolves once the pool holds as many browsers as it should (at once when it does). */
  filled(): Promise<void> {
    if (this.ready.length >= this.size) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get count(): number {
    return this.ready.length;
  }

  /** Grows or shrinks the pool to `size` browsers; resolves once those above it are stopped. */
  async resize(size: number): Promise<void> {
    this.size = Math.max(0, Math.floor(size));
    while (this.ready.length > this.size) this.discard(this.ready.pop()!);
    this.fill();
    await Promise.all(this.stopping);
  }

  /**
   * A ready browser, now, or null. Its replacement starts on replenish(), which the caller sends once the session is
   * set up: spawning Chromium takes the event loop and the cores for a while, and the session comes first.
   */
  take(): StartedBrowser | null {
    const wanted = this.deps.executable();
    let browser: StartedBrowser | null = null;
    while (!browser && this.ready.length > 0) {
      const b = this.ready.shift()!;
      if (b.connection.closed || (wanted !== null && b.executable !== wanted)) this.discard(b);
      else browser = b;
    }
    return browser;
  }

  /** Starts what the pool lacks (after take()). */
  replenish(): void {
    this.fill();
  }

  /** Stops every waiting browser and any still starting; the pool stays empty. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) this.deps.clock.clearTimeout(this.retry);
    for (const done of this.waiters.splice(0)) done();
    for (const b of this.ready.splice(0)) this.discard(b);
    await Promise.all(this.starting);
    await Promise.all(this.stopping);
  }

  private fill(): void {
    while (!this.closed && this.retry === null && this.ready.length + this.starting.size < this.size) this.startOne();
  }

  private startOne(): void {
    const run = this.deps.start().then(
      (b) => {
        if (this.closed || this.ready.length >= this.size) return this.discard(b);
        this.failures = 0;
        this.ready.push(b);
        if (this.ready.length >= this.size) for (const done of this.waiters.splice(0)) done();
        void b.proc.exited.then(() => {
          const i = this.ready.indexOf(b);
          if (i < 0) return;
          // Died while waiting: nothing of a session is lost, but the pool is one short.
          this.ready.splice(i, 1);
          this.deps.log(`warm browser ${b.proc.pid} exited while waiting; starting another`);
          this.discard(b);
          this.fill();
        });
      },
      (err: Error) => {
        const wait = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)]!;
        this.deps.log(`warm browser did not start (${err.message}); trying again in ${wait / 1000} s`);
        if (this.closed) return;
        this.retry = this.deps.clock.setTimeout(() => {
          this.retry = null;
          this.fill();
        }, wait);
      },
    );
    const tracked = run.finally(() => {
      this.starting.delete(tracked);
      this.fill();
    });
    this.starting.add(tracked);
  }

  private discard(b: StartedBrowser): void {
    const stop = this.deps.stop(b).catch((err: Error) => this.deps.log(`stopping warm browser ${b.proc.pid} failed: ${err.message}`));
    const tracked = stop.finally(() => this.stopping.delete(tracked));
    this.stopping.add(tracked);
  }
}
