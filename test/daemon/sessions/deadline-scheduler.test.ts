import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineScheduler } from '../../../src/daemon/sessions/deadline-scheduler.js';
import { systemClock } from '../../../src/shared/clock.js';
import { T0, useFakeClock } from '../providers/board/board-harness.js';

describe('DeadlineScheduler', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('fires each deadline at its exact millisecond, earliest first, with one timer', () => {
    const s = new DeadlineScheduler(systemClock);
    const fired: [string, number, number][] = [];
    for (const [key, at] of [['c', 300], ['a', 100], ['b', 200]] as const) {
      s.schedule(key, T0 + at, (when) => fired.push([key, when - T0, Date.now() - T0]));
    }
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([['a', 100, 100]]);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual([['a', 100, 100], ['b', 200, 200], ['c', 300, 300]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('replaces a key, cancels by key and prefix, and fires past deadlines at once with their own instant', () => {
    const s = new DeadlineScheduler(systemClock);
    const fired: string[] = [];
    s.schedule('x:1', T0 + 50, () => fired.push('x:1 early'));
    s.schedule('x:1', T0 + 500, () => fired.push('x:1 late'));
    s.schedule('x:2', T0 + 60, () => fired.push('x:2'));
    s.schedule('y', T0 + 70, () => fired.push('y'));
    s.cancelPrefix('x:2');
    s.cancel('y');
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['x:1 late']);
    let at = 0;
    s.schedule('past', T0 - 5000, (when) => (at = when));
    vi.advanceTimersByTime(0);
    expect(at).toBe(T0 - 5000);
  });

  it('holds 10,000 deadlines on a single timer', () => {
    const s = new DeadlineScheduler(systemClock);
    let count = 0;
    for (let i = 0; i < 10_000; i++) s.schedule(`k${i}`, T0 + 1000 + (i % 97), () => count++);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(count).toBe(10_000);
  });
});
