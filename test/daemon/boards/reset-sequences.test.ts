import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RESET_SEQUENCES,
  describeSequence,
  runResetSequence,
  timerSleep,
  type LineChange,
} from '../../../src/daemon/boards/reset-sequences.js';

describe('reset sequences', () => {
  let log: Array<[number, LineChange]>;
  let t0: number;
  const runner = { set: async (c: LineChange) => void log.push([Date.now() - t0, c]), sleep: timerSleep };

  beforeEach(() => {
    vi.useFakeTimers();
    log = [];
    t0 = Date.now();
  });
  afterEach(() => vi.useRealTimers());

  it('bootloader is esptool ClassicReset: D0|R1|W0.1|D1|R0|W0.05|D0', async () => {
    expect(describeSequence(RESET_SEQUENCES.bootloader)).toBe('D0|R1|W0.1|D1|R0|W0.05|D0');
    const done = runResetSequence(RESET_SEQUENCES.bootloader, runner);
    await vi.advanceTimersByTimeAsync(99);
    expect(log).toEqual([
      [0, { dtr: false }],
      [0, { rts: true }],
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.slice(2)).toEqual([
      [100, { dtr: true }],
      [100, { rts: false }],
    ]);
    await vi.advanceTimersByTimeAsync(49);
    expect(log).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(log[4]).toEqual([150, { dtr: false }]);
    expect(log).toHaveLength(5);
  });

  it('hard holds EN low for 100 ms with DTR off, then releases it', async () => {
    expect(describeSequence(RESET_SEQUENCES.hard)).toBe('D0|R1|W0.1|R0');
    const done = runResetSequence(RESET_SEQUENCES.hard, runner);
    await vi.advanceTimersByTimeAsync(99);
    expect(log).toEqual([
      [0, { dtr: false }],
      [0, { rts: true }],
    ]);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(log).toEqual([
      [0, { dtr: false }],
      [0, { rts: true }],
      [100, { rts: false }],
    ]);
  });

  it('stops at the first failing step', async () => {
    const failing = { set: async () => Promise.reject(new Error('Port is not open')), sleep: timerSleep };
    await expect(runResetSequence(RESET_SEQUENCES.hard, failing)).rejects.toThrow('Port is not open');
  });
});
