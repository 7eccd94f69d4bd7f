// A clock the test moves by hand: the dashboard's logins, links and tickets expire by it.
import type { Clock } from '../../../src/shared/clock.js';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 11, 1, 12)): ManualClock {
  let now = start;
  return {
    now: () => now,
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    advance: (ms) => void (now += ms),
  };
}
