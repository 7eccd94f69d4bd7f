// The credit meter, computed from timestamps alone: 1 credit on reaching idle, then the board's rate for each whole second.

/** What the meter needs to know about a session. */
export interface Metered {
  started_at: number | null;
  ended_at: number | null;
  rate_credits_per_min: number;
  /** Per-session budget; the charge never exceeds it. */
  max_credits: number | null;
}

export const START_CREDITS = 1;
const EPSILON = 1e-9;

/** Whole seconds billed by instant t (a second counts once it has fully passed). */
export function billedSeconds(s: Metered, t: number): number {
  if (s.started_at === null) return 0;
  const until = s.ended_at === null ? t : Math.min(t, s.ended_at);
  return Math.max(0, Math.floor((until - s.started_at) / 1000));
}

/** Credits a session has used by instant t. */
export function creditsAt(s: Metered, t: number): number {
  if (s.started_at === null) return 0;
  const raw = START_CREDITS + (s.rate_credits_per_min * billedSeconds(s, t)) / 60;
  return s.max_credits === null ? raw : Math.min(raw, s.max_credits);
}

/** The instant a started session's charge reaches `budget` credits; null if it never does (rate 0). */
export function instantReaching(s: Metered, budget: number): number | null {
  if (s.started_at === null) return null;
  const beyond = budget - START_CREDITS;
  if (beyond <= EPSILON) return s.started_at;
  if (s.rate_credits_per_min <= 0) return null;
  const seconds = Math.ceil((beyond * 60) / s.rate_credits_per_min - EPSILON);
  return s.started_at + seconds * 1000;
}

/**
 * The first instant ≥ now at which the live sessions together have used `balance` credits, or null if never.
 * Each session's charge is a step function of time, so the sum is too: a binary search over milliseconds
 * finds the exact instant without ticking.
 */
export function exhaustionInstant(sessions: readonly Metered[], balance: number, now: number): number | null {
  const total = (t: number) => sessions.reduce((sum, s) => sum + creditsAt(s, t), 0);
  if (total(now) >= balance - EPSILON) return now;
  const rate = sessions.reduce((sum, s) => sum + (s.started_at === null ? 0 : s.rate_credits_per_min), 0);
  if (rate <= 0) return null;
  // Once every session has billed this many more seconds, the sum has grown by at least the rest of the balance.
  let hi = now + (Math.ceil(((balance - total(now)) * 60) / rate) + 1) * 1000;
  if (total(hi) < balance - EPSILON) return null; // capped by max_credits before the balance runs out
  let lo = now;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (total(mid) >= balance - EPSILON) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Rounds credits for display and storage: micro-credit precision, no float noise. */
export function roundCredits(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
