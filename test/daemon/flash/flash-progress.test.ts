import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROGRESS_INTERVAL_MS, ProgressMeter } from '../../../src/daemon/flash/flash-progress.js';
import type { FlashProgress } from '../../../src/daemon/flash/flash-progress.js';
import { systemClock } from '../../../src/shared/clock.js';

describe('ProgressMeter', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('reports each phase at once, writes at most every 100 ms and the last one always, with esptool rates', () => {
    const seen: FlashProgress[] = [];
    const meter = new ProgressMeter(100_000, systemClock, (p) => seen.push(p));
    meter.phase('connecting');
    vi.advanceTimersByTime(500);
    meter.phase('writing');
    for (let i = 1; i <= 10; i++) {
      vi.advanceTimersByTime(20);
      meter.written(i * 5000);
    }
    expect(seen.map((p) => p.phase)).toEqual(['connecting', 'writing', 'writing', 'writing']);
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    meter.written(100_000);
    expect(seen.at(-1)).toEqual({ phase: 'writing', written: 100_000, total: 100_000, kbit_s: Math.round((100_000 * 8) / 300) });
    meter.phase('verifying');
    vi.advanceTimersByTime(1000);
    expect(meter.writingMs).toBe(300); // verifying is not writing time
  });
});
