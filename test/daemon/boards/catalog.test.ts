import { describe, expect, it } from 'vitest';
import { boardType } from '../../../src/daemon/boards/board-types.js';
import { catalogEntries, lookupUsb, normaliseUsbId } from '../../../src/daemon/boards/catalog.js';

describe('the VID:PID catalog', () => {
  it.each([
    ['303A', '1001', 'esp32-s3', 'usb_jtag'],
    ['10C4', 'EA60', 'usb-serial', 'classic'],
    ['1A86', '7523', 'usb-serial', 'classic'],
    ['1A86', '55D3', 'usb-serial', 'classic'],
    ['0403', '6001', 'usb-serial', 'classic'],
    ['0403', '6010', 'usb-serial', 'classic'],
    ['0403', '6014', 'usb-serial', 'classic'],
    ['0403', '6015', 'usb-serial', 'classic'],
    ['2E8A', '0005', 'rp2040', null],
    ['2E8A', '000A', 'rp2040', null],
    ['0483', '374B', 'stm32', null],
    ['0483', '374E', 'stm32', null],
    ['2341', '0043', 'arduino-uno', null],
  ])('maps %s:%s to %s (reset %s)', (vid, pid, type, reset) => {
    expect(lookupUsb(vid, pid)).toMatchObject({ type, reset_style: reset });
    expect(lookupUsb(`0x${vid.toLowerCase()}`, pid.toLowerCase())?.type).toBe(type);
  });

  it('knows nothing else, and every type it names is a board type with a rate', () => {
    expect(lookupUsb('1234', '5678')).toBeUndefined();
    expect(lookupUsb(null, '1001')).toBeUndefined();
    for (const e of catalogEntries()) expect(boardType(e.type)?.rate_credits_per_min).toBeGreaterThan(0);
    expect(normaliseUsbId('0x2E8A')).toBe('2e8a');
    expect(normaliseUsbId('a')).toBe('000a');
  });
});
