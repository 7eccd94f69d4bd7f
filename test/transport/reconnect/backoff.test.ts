// The backoff schedule: full jitter under a cap that doubles per retry and stops at the maximum.
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/transport/reconnect/backoff.js';

describe('backoffDelay', () => {
  it('doubles the cap per retry up to the maximum', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, 200, 1000, almostOne))).toEqual([199, 399, 799, 999, 999, 999]);
  });

  it('draws uniformly below the cap: 0 is possible, the cap is not', () => {
    expect(backoffDelay(1, 200, 1000, () => 0)).toBe(0);
    expect(backoffDelay(3, 200, 1000, () => 0.5)).toBe(400);
    for (let i = 0; i < 1000; i++) expect(backoffDelay(1, 200, 1000, Math.random)).toBeLessThan(200);
  });
});
