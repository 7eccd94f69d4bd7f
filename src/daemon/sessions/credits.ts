// Credit arithmetic shared by every metered kind: rounding, and the instant an account's balance runs out.

const EPSILON = 1e-9;

/** Rounds credits for display and storage: micro-credit precision, no float noise. */
export function roundCredits(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The first instant ≥ now at which `total(t)` (the credits an account's live sessions have used by t, a
 * non-decreasing function) reaches `balance`, or null if it never does. `ratePerMin` bounds how fast it grows, so
 * a binary search over milliseconds finds the exact instant without ticking.
 */
export function exhaustionInstant(total: (t: number) => number, ratePerMin: number, balance: number, now: number): number | null {
  if (total(now) >= balance - EPSILON) return now;
  if (ratePerMin <= 0) return null;
  // Past this instant the sum has grown by at least the rest of the balance (unless capped by budgets).
  let hi = now + (Math.ceil(((balance - total(now)) * 60) / ratePerMin) + 1) * 1000;
  if (total(hi) < balance - EPSILON) return null;
  let lo = now;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (total(mid) >= balance - EPSILON) hi = mid;
    else lo = mid;
  }
  return hi;
}
