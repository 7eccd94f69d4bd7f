// A board session's credit meter, computed from timestamps alone: 1 credit on reaching idle, then the board's rate for each whole second.

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
  if (s.started_at === null || t < s.started_at) return 0;
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

export { roundCredits } from '../../sessions/credits.js';
