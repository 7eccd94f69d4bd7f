import { describe, expect, it } from 'vitest';
import { checkEntries, checkNewEntry, closest, defaultEntryName, entryId, type BoardEntry } from '../../../src/daemon/boards/board-entries.js';

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
    ['a newline in the path', [{ name: 'a', type: 'rp2040', path: '/dev/x\nlab' }], 'boards[0].path must not contain control characters (newlines, tabs, escapes); got "/dev/x\\nlab"'],
    ['an escape in the name', [{ name: 'a\u001b[31m', type: 'rp2040', path: '/dev/x' }], 'boards[0].name must not contain control characters'],
    ['a name too long', [{ name: 'n'.repeat(65), type: 'rp2040', path: '/dev/x' }], 'boards[0].name must be at most 64 characters; got 65'],
  ])('refuses %s with a message naming the entry', (_what, entries, message) => {
    expect(() => checkEntries(entries as BoardEntry[])).toThrow(message);
  });

  it('accepts flash_command, power and on_end in their documented shapes', () => {
    const [e] = checkEntries([
      {
        name: 'pico',
        type: 'rp2040',
        path: '/dev/x',
        flash_command: ['picotool', 'load', '-x', '{file}', '-o', '{offset}'],
        power: { on: ['relay', 'on'], off: ['relay', 'off'], delay_s: 2 },
        on_end: { flash: [['0x10000', '/srv/fw/blink.bin']] },
      },
    ]);
    expect(e!.flash_command).toEqual(['picotool', 'load', '-x', '{file}', '-o', '{offset}']);
    expect(() => checkEntries([{ name: 'hub', type: 'esp32-s3', path: '/dev/x', power: { uhubctl: { location: '1-1.4', port: 2 } }, on_end: { erase: true } }])).not.toThrow();
  });

  it.each<[string, Partial<BoardEntry>, string]>([
    ['a flash_command without {file}', { flash_command: ['openocd', '-f', 'x.cfg'] }, "board 'a': flash_command must name the image with {file}"],
    ['a flash_command as a string', { flash_command: 'openocd {file}' as never }, "board 'a': flash_command must be a list of 1 to 64 strings"],
    ['an unknown placeholder', { flash_command: ['avrdude', '-P', '{device}', '{file}'] }, "board 'a': flash_command: {device} is not a placeholder; use {port}, {file}, {offset}"],
    ['power without actions', { power: { delay_s: 1 } }, "board 'a': power needs at least one of on, off and cycle"],
    ['a bad hub location', { power: { uhubctl: { location: 'hub one', port: 2 } } }, "board 'a': power.uhubctl.location must be a hub location"],
    ['a long power delay', { power: { cycle: ['x'], delay_s: 600 } }, "board 'a': power.delay_s must be a number of seconds from 0 to 60; got 600"],
    ['on_end with a relative file', { on_end: { flash: [['0x0', 'fw.bin']] } }, "board 'a': on_end.flash[0] must be [OFFSET, \"/absolute/path.bin\"]"],
    ['on_end with neither', { on_end: { wipe: true } as never }, "board 'a': on_end must be"],
    ['an on_end erase for a flash_command board', { flash_command: ['picotool', 'load', '{file}'], on_end: { erase: true } }, `board 'a': on_end {"erase": true} needs an ESP ROM`],
  ])('refuses %s', (_what, extra, message) => {
    expect(() => checkEntries([{ name: 'a', type: 'rp2040', path: '/dev/x', ...extra }])).toThrow(message);
  });

  it('names an entry from its device: its last path component, with its directory when that is a bare number', () => {
    expect(defaultEntryName({ type: 'usb-serial', path: '/dev/pts/0' })).toBe('pts-0');
    expect(defaultEntryName({ type: 'esp32-s3', path: '/dev/ttyACM0' })).toBe('ttyACM0');
    expect(defaultEntryName({ type: 'esp32-s3', path: '/dev/serial/by-id/usb-1a86_USB_Serial-if00' })).toBe('esp32-s3-usb-1a86_USB_Serial-if00');
    expect(defaultEntryName({ type: 'esp32-s3', serial_number: 'F4:12:FA' })).toBe('esp32-s3-F4_12_FA');
    expect(defaultEntryName({ type: 'esp32-s3' })).toBeUndefined();
  });

  it('refuses a device that is already a board, and a type no board has unless it is meant to be new', () => {
    const existing: BoardEntry[] = [{ name: 'bench', type: 'esp32-s3', path: '/dev/pts/3' }, { name: 'lab', type: 'rp2040', serial_number: 'E66' }];
    const known = ['esp32-s3', 'rp2040', 'usb-serial', 'virtual'];
    expect(() => checkNewEntry({ name: 'b', type: 'esp32-s3', path: '/dev/pts/3' }, existing, known)).toThrow("/dev/pts/3 is already the board 'bench'");
    expect(() => checkNewEntry({ name: 'b', type: 'rp2040', serial_number: 'E66' }, existing, known)).toThrow("serial number E66 is already the board 'lab'");
    expect(() => checkNewEntry({ name: 'b', type: 'esp32s3', path: '/dev/pts/4' }, existing, known)).toThrow(
      "board type 'esp32s3' is not one this host knows (did you mean esp32-s3?); known types: esp32-s3, rp2040, usb-serial, virtual. To make a new type, add it again with --new-type",
    );
    expect(() => checkNewEntry({ name: 'b', type: 'nrf52', path: '/dev/pts/4' }, existing, known, true)).not.toThrow();
    expect(closest('rp2004', known)).toBe('rp2040');
    expect(closest('stm32', known)).toBeUndefined();
  });
});
