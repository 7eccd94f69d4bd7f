import { describe, expect, it } from 'vitest';
import { creditCount, credits, orDash, relativeTime, seconds } from '../../../src/cli/output/format.js';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');

describe('relativeTime', () => {
  it.each([
    ['2030-01-01T11:59:30.000Z', '30s ago'],
    ['2030-01-01T11:55:00.000Z', '5m ago'],
    ['2030-01-01T10:30:00.000Z', '1h30m ago'],
    ['2030-01-01T12:00:25.000Z', 'in 25s'],
    ['2030-01-01T12:00:00.400Z', 'just now'],
  ])('%s → %s', (iso, text) => {
    expect(relativeTime(iso, NOW)).toBe(text);
  });

  it('prints - for no time and the text itself for a bad one', () => {
    expect(relativeTime(null, NOW)).toBe('-');
    expect(relativeTime('yesterday', NOW)).toBe('yesterday');
  });
});

describe('credits and friends', () => {
  it('rounds credits to two decimals without trailing zeros', () => {
    expect(credits(1)).toBe('1');
    expect(credits(2.345)).toBe('2.35');
    expect(credits(null)).toBe('-');
    expect(creditCount(1)).toBe('1 credit');
    expect(creditCount(1.5)).toBe('1.5 credits');
  });

  it('formats seconds and empty values', () => {
    expect(seconds(90)).toBe('1m30s');
    expect(seconds(null)).toBe('-');
    expect(orDash('')).toBe('-');
    expect(orDash('x')).toBe('x');
  });
});
