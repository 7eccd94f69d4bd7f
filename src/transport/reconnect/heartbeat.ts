// Finds a dead connection in seconds: pings on a schedule and reports when nothing at all was heard for too long.
import type { Clock, TimerHandle } from '../../shared/clock.js';

/**
 * One timer, due at the next ping or at the moment silence becomes death, whichever is first. `heard()` only stores
 * a timestamp, so calling it for every frame on a hot path costs no timer churn.
 */
export class Heartbeat {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #deadAfterMs: number;
  readonly #ping: () => void;
  readonly #dead: () => void;
  #lastHeard = 0;
  #nextPing = 0;
  #timer: TimerHandle | undefined = undefined;
  #running = false;

  constructor(clock: Clock, intervalMs: number, deadAfterMs: number, ping: () => void, dead: () => void) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#deadAfterMs = deadAfterMs;
    this.#ping = ping;
    this.#dead = dead;
  }

  start(): void {
    const now = this.#clock.now();
    this.#lastHeard = now;
    this.#nextPing = now + this.#intervalMs;
    this.#running = true;
    this.#schedule(now);
  }

  /** Any frame, ping or pong from the peer proves the path still carries data. */
  heard(): void {
    this.#lastHeard = this.#clock.now();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    if (now - this.#lastHeard >= this.#deadAfterMs) {
      this.#running = false;
      this.#dead();
      return;
    }
    if (now >= this.#nextPing) {
      this.#nextPing = now + this.#intervalMs;
      this.#ping();
    }
    if (this.#running) this.#schedule(now);
  };

  #schedule(now: number): void {
    const at = Math.min(this.#nextPing, this.#lastHeard + this.#deadAfterMs);
    this.#timer = this.#clock.setTimeout(this.#tick, Math.max(0, at - now));
  }
}
