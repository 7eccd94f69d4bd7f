import { describe, expect, it } from 'vitest';
import { meterNow } from '../../../src/ui/lib/meter.js';
import { clock, credits } from '../../../src/ui/lib/format.js';
import { retryDelay } from '../../../src/ui/lib/backoff.js';

describe('meterNow', () => {
  const reading = { credits_used: 3, balance_credits: 17, rate_credits_per_min: 2, at: 1_000_000 };

  it('counts on at the rate while the session is billed', () => {
    expect(meterNow(reading, 'active', 1_030_000)).toEqual({ used: 4, balance: 16 });
    expect(meterNow(reading, 'idle', 1_060_000)).toEqual({ used: 5, balance: 15 });
  });

  it('stops counting once ended, and never shows a negative balance', () => {
    expect(meterNow(reading, 'ended', 2_000_000)).toEqual({ used: 3, balance: 17 });
    expect(meterNow(reading, 'active', 1_000_000 + 3600_000).balance).toBe(0);
    expect(meterNow({ ...reading, balance_credits: null }, 'active', 1_030_000).balance).toBeNull();
  });
});

describe('format', () => {
  it('writes durations as a clock and credits to a sensible precision', () => {
    expect(clock(75)).toBe('1:15');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-3)).toBe('0:00');
    expect(credits(1)).toBe('1.00');
    expect(credits(12.345)).toBe('12.3');
    expect(credits(null)).toBe('—');
  });
});

describe('retryDelay', () => {
  it('doubles up to the cap, in the upper half of each step', () => {
    expect(retryDelay(0, 250, 5000, () => 0)).toBe(125);
    expect(retryDelay(0, 250, 5000, () => 1)).toBe(250);
    expect(retryDelay(3, 250, 5000, () => 1)).toBe(2000);
    expect(retryDelay(10, 250, 5000, () => 1)).toBe(5000);
  });
});
