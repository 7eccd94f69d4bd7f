import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RESET_SEQUENCES,
  USB_JTAG_SEQUENCES,
  parseResetNotation,
  sequencesForStyle,
  describeSequence,
  runResetSequence,
  timerSleep,
  type LineChange,
} from '../../../src/daemon/boards/reset-sequences.js';

/** Every line change with the fake-clock millisecond it happened at. */
let log: Array<[number, LineChange]>;
let t0: number;
const runner = { set: async (c: LineChange) => void log.push([Date.now() - t0, c]), sleep: timerSleep };

beforeEach(() => {
  vi.useFakeTimers();
  log = [];
  t0 = Date.now();
});
afterEach(() => vi.useRealTimers());

describe('reset sequences', () => {
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

describe('USB-Serial/JTAG and custom sequences', () => {
  it("bootloader for 303A:1001 is esptool's USBJTAGSerialReset, through (1,1) and never (0,0)", async () => {
    expect(describeSequence(USB_JTAG_SEQUENCES.bootloader)).toBe('R0|D0|W0.1|D1|R0|W0.1|R1|D0|R1|W0.1|D0|R0');
    const done = runResetSequence(USB_JTAG_SEQUENCES.bootloader, runner);
    await vi.advanceTimersByTimeAsync(300);
    await done;
    expect(log.map(([t]) => t)).toEqual([0, 0, 100, 100, 200, 200, 200, 300, 300]);
    // Replay the line levels: once IO0 is asserted, reset must go through DTR=1,RTS=1 before DTR drops.
    let dtr = true;
    let rts = true;
    const levels = log.map(([, c]) => {
      dtr = c.dtr ?? dtr;
      rts = c.rts ?? rts;
      return `${dtr ? 1 : 0}${rts ? 1 : 0}`;
    });
    expect(levels.slice(2)).toEqual(['10', '10', '11', '01', '01', '01', '00']);
  });

  it('hard for 303A:1001 waits 200 ms on each side of the EN pulse', async () => {
    expect(describeSequence(USB_JTAG_SEQUENCES.hard)).toBe('R1|W0.2|R0|W0.2');
    const done = runResetSequence(USB_JTAG_SEQUENCES.hard, runner);
    await vi.advanceTimersByTimeAsync(400);
    await done;
    expect(log).toEqual([
      [0, { rts: true }],
      [200, { rts: false }],
    ]);
  });

  it('maps styles to sequences: none for boards without one', () => {
    expect(sequencesForStyle('classic')).toBe(RESET_SEQUENCES);
    expect(sequencesForStyle('usb_jtag')).toBe(USB_JTAG_SEQUENCES);
    expect(sequencesForStyle(null)).toEqual({});
  });

  it("parses esptool's custom notation and quotes a bad step", () => {
    expect(parseResetNotation('D0|R1|W0.1|D1|R0|W0.05|D0')).toEqual(RESET_SEQUENCES.bootloader);
    expect(() => parseResetNotation('D0|X1')).toThrow(/'X1' is not D0, D1, R0, R1 or W<seconds>/);
    expect(() => parseResetNotation('D2')).toThrow(/'D2'/);
    expect(() => parseResetNotation('W60')).toThrow(/over 10 s/);
  });
});
