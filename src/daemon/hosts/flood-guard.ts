// The bound on what a host may send besides its boards' output: control messages a second, and their bytes.
import type { Clock } from '../../shared/clock.js';

/** A token bucket that holds `burst` and refills `perSecond`. */
class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

export const CONTROL_PER_S = 200;
const CONTROL_BURST = 1000;
const CONTROL_BYTES_PER_S = 2 * 1024 * 1024;
const CONTROL_BYTES_BURST = 8 * 1024 * 1024;

export class FloodGuard {
  private readonly frames: Bucket;
  private readonly bytes: Bucket;

  constructor(private readonly clock: Clock) {
    const now = clock.now();
    this.frames = new Bucket(CONTROL_PER_S, CONTROL_BURST, now);
    this.bytes = new Bucket(CONTROL_BYTES_PER_S, CONTROL_BYTES_BURST, now);
  }

  /** Null while within bounds; else what the host overdid, for the close reason. */
  take(bytes: number): string | null {
    const now = this.clock.now();
    if (!this.frames.take(1, now)) return `more than ${CONTROL_PER_S} control messages a second (a flood)`;
    if (!this.bytes.take(bytes, now)) return `more than ${CONTROL_BYTES_PER_S / 1024 / 1024} MiB of control messages a second (a flood)`;
    return null;
  }
}
