import { describe, expect, it } from 'vitest';
import { checkEntries, entryId, type BoardEntry } from '../../../src/daemon/boards/board-entries.js';

describe('board config entries', () => {
  it('accepts entries by path or by serial number and freezes them', () => {
    const entries = checkEntries([
      { name: 'bench-s3', type: 'esp32-s3', serial_number: 'F4:12', baud: 921600, rate_credits_per_min: 3 },
      { name: 'pty', type: 'usb-serial', path: '/tmp/x/ttyA' },
    ]);
    expect(entries.map((e) => e.name)).toEqual(['bench-s3', 'pty']);
    expect(Object.isFrozen(entries[0])).toBe(true);
    expect(entryId('lab bench #1')).toBe('lab_bench_1');
  });

  it.each<[string, unknown, string]>([
    ['no name', [{ name: ' ', type: 'esp32-s3', path: '/dev/x' }], 'boards[0].name must be a non-empty string'],
    ['a bad type', [{ name: 'a', type: 'ESP 32', path: '/dev/x' }], "board 'a': type must be a board type such as esp32-s3 or usb-serial; got 'ESP 32'"],
    ['nothing to find it by', [{ name: 'a', type: 'esp32-s3' }], "board 'a' needs a path or a serial_number to find it by"],
    ['a bad reset sequence', [{ name: 'a', type: 'rp2040', path: '/dev/x', reset_hard: 'R1|Z' }], "board 'a': reset_hard: reset sequence step 'Z' is not D0, D1, R0, R1 or W<seconds>"],
    ['a relative path', [{ name: 'a', type: 'esp32-s3', path: 'ttyUSB0' }], "board 'a': path must be an absolute device path; got 'ttyUSB0'"],
    ['an odd baud rate', [{ name: 'a', type: 'esp32-s3', path: '/dev/x', baud: 12345 }], "board 'a': baud must be a standard rate from 300 to 3000000; got 12345"],
    ['a negative rate', [{ name: 'a', type: 'esp32-s3', path: '/dev/x', rate_credits_per_min: -1 }], "board 'a': rate_credits_per_min must be a number ≥ 0; got -1"],
    ['a reserved name', [{ name: 'virtual-1', type: 'virtual', path: '/dev/x' }], "board 'virtual-1': names starting with virtual- or usb- are reserved"],
    ['a duplicate', [{ name: 'a', type: 'rp2040', path: '/dev/x' }, { name: 'a', type: 'rp2040', path: '/dev/y' }], "board 'a': another entry already has the name 'a'"],
    ['not a list', { name: 'a' }, 'boards must be a list of board entries; got object'],
  ])('refuses %s with a message naming the entry', (_what, entries, message) => {
    expect(() => checkEntries(entries as BoardEntry[])).toThrow(message);
  });
});
