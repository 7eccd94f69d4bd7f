// The session's meter between readings: the daemon reports credits every 15 s; the page counts on at the rate.
import type { Session } from '../../transport/protocol/api.js';

export interface Reading {
  credits_used: number;
  balance_credits: number | null;
  rate_credits_per_min: number;
  /** ms */
  at: number;
}

const RUNNING = new Set(['idle', 'active', 'flashing']);

export function fromSession(s: Session, balance: number | null): Reading {
  return { credits_used: s.credits_used, balance_credits: balance, rate_credits_per_min: s.rate_credits_per_min, at: Date.now() };
}

/** Credits used and balance now, counting on from the last reading while the session is billed. */
export function meterNow(r: Reading, state: string, now = Date.now()): { used: number; balance: number | null } {
  const spent = RUNNING.has(state) ? (r.rate_credits_per_min / 60) * Math.max(0, (now - r.at) / 1000) : 0;
  return { used: r.credits_used + spent, balance: r.balance_credits === null ? null : Math.max(0, r.balance_credits - spent) };
}
