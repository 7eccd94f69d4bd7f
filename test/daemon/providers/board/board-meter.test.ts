import { describe, expect, it } from 'vitest';
import { creditsAt, instantReaching, type Metered } from '../../../../src/daemon/providers/board/board-meter.js';
import { exhaustionInstant as searchExhaustion } from '../../../../src/daemon/sessions/credits.js';

/** The account-level search over board meters, as the core runs it. */
const exhaustionInstant = (sessions: Metered[], balance: number, now: number) =>
  searchExhaustion((t) => sessions.reduce((sum, s) => sum + creditsAt(s, t), 0), sessions.reduce((sum, s) => sum + s.rate_credits_per_min, 0), balance, now);

const session = (started: number, rate = 1, max: number | null = null): Metered => ({
  started_at: started,
  ended_at: null,
  rate_credits_per_min: rate,
  max_credits: max,
});

describe('meter', () => {
  it('charges 1 credit at idle, then the rate for each whole second', () => {
    const s = session(0, 6);
    expect(creditsAt({ ...s, started_at: null }, 10_000)).toBe(0);
    expect(creditsAt(s, 0)).toBe(1);
    expect(creditsAt(s, 999)).toBe(1);
    expect(creditsAt(s, 1000)).toBeCloseTo(1.1, 9);
    expect(creditsAt(s, 60_000)).toBeCloseTo(7, 9);
  });

  it('stops at ended_at and never exceeds max_credits', () => {
    expect(creditsAt({ ...session(0, 60), ended_at: 5000 }, 100_000)).toBe(6);
    expect(creditsAt(session(0, 60, 3), 100_000)).toBe(3);
  });

  it('finds the instant a budget is reached', () => {
    expect(instantReaching(session(1000, 1), 3)).toBe(1000 + 120_000);
    expect(instantReaching(session(0, 7), 1.5)).toBe(5000); // 0.5 credit at 7/min takes 4.29 s: the 5th second
    expect(instantReaching(session(0, 0), 3)).toBeNull();
    expect(instantReaching(session(500, 1), 1)).toBe(500);
  });

  it('finds the exact instant several sessions exhaust a shared balance', () => {
    const a = session(0, 60); // 1 credit/s
    const b = session(250, 60);
    // 2 at start; then 1 credit per second each: 10 reached when a has billed 4 s and b 4 s → b's 4th second at 4250.
    expect(exhaustionInstant([a, b], 10, 0)).toBe(4250);
    expect(exhaustionInstant([a], 0.5, 0)).toBe(0);
    expect(exhaustionInstant([session(0, 0)], 5, 0)).toBeNull();
    expect(exhaustionInstant([session(0, 60, 2)], 5, 0)).toBeNull();
  });
});
