import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SerialPortStream } from '@serialport/stream';
import { BREAK_MS, PortControl } from '../../../src/daemon/boards/serial-control.js';
import { parseResetNotation } from '../../../src/daemon/boards/reset-sequences.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';

type Call = [number, Record<string, unknown>];

/** Just the two stream methods PortControl uses, recording what it asks for and when. */
function fakeStream(log: Call[], t0: () => number, updateError?: Error) {
  return {
    path: 'virtual:1',
    set(options: Record<string, unknown>, cb: (err: Error | null) => void) {
      log.push([Date.now() - t0(), options]);
      process.nextTick(cb, null);
    },
    update(options: { baudRate: number }, cb: (err: Error | null) => void) {
      log.push([Date.now() - t0(), options]);
      process.nextTick(cb, updateError ?? null);
    },
  } as unknown as SerialPortStream;
}

describe('PortControl', () => {
  let log: Call[];
  let t0: number;
  beforeEach(() => {
    vi.useFakeTimers();
    log = [];
    t0 = Date.now();
  });
  afterEach(() => vi.useRealTimers());

  it('writes both lines on every change, since the stream resets a line left out to its default', async () => {
    const control = new PortControl(fakeStream(log, () => t0));
    await control.setSignals({ dtr: false });
    await control.setSignals({ rts: false });
    await control.setSignals({ dtr: true });
    expect(log.map(([, o]) => o)).toEqual([
      { dtr: false, rts: true, brk: false },
      { dtr: false, rts: false, brk: false },
      { dtr: true, rts: false, brk: false },
    ]);
  });

  it('runs a bootloader reset with esptool timing, and queues a second operation behind it', async () => {
    const control = new PortControl(fakeStream(log, () => t0));
    const reset = control.reset('bootloader');
    const after = control.setSignals({ rts: true });
    await vi.advanceTimersByTimeAsync(150);
    await reset;
    await after;
    expect(log).toEqual([
      [0, { dtr: false, rts: true, brk: false }],
      [0, { dtr: false, rts: true, brk: false }],
      [100, { dtr: true, rts: true, brk: false }],
      [100, { dtr: true, rts: false, brk: false }],
      [150, { dtr: false, rts: false, brk: false }],
      [150, { dtr: false, rts: true, brk: false }],
    ]);
  });

  it('holds a break for BREAK_MS', async () => {
    const control = new PortControl(fakeStream(log, () => t0));
    const done = control.sendBreak();
    await vi.advanceTimersByTimeAsync(BREAK_MS);
    await done;
    expect(log).toEqual([
      [0, { dtr: true, rts: true, brk: true }],
      [BREAK_MS, { dtr: true, rts: true, brk: false }],
    ]);
  });

  it('rejects a bad baud rate with an invalid_request that names the value', async () => {
    const control = new PortControl(fakeStream(log, () => t0, new Error('baud rate 12345 is not supported on virtual:1')));
    const notInteger = control.setBaud(1.5);
    await expect(notInteger).rejects.toBeInstanceOf(ApiError);
    await expect(notInteger).rejects.toThrow('positive whole number; got 1.5');
    const refused = control.setBaud(12345);
    await expect(refused).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(refused).rejects.toThrow('Could not set virtual:1 to 12345 baud');
    expect(log).toEqual([[0, { baudRate: 12345 }]]);
  });

  it("runs a board's custom sequence, and refuses a mode the board has none for with the fix", async () => {
    const control = new PortControl(fakeStream(log, () => t0), {
      sequences: { hard: parseResetNotation('D1|W0.02|D0') },
      board: "'lab-pico' (rp2040)",
    });
    const done = control.reset('hard');
    await vi.advanceTimersByTimeAsync(20);
    await done;
    expect(log).toEqual([
      [0, { dtr: true, rts: true, brk: false }],
      [20, { dtr: false, rts: true, brk: false }],
    ]);
    const err = await control.reset('bootloader').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/'lab-pico' \(rp2040\) has no bootloader reset sequence.*--reset-bootloader/);
  });
});
