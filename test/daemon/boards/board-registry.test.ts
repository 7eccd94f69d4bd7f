import { afterEach, describe, expect, it, vi } from 'vitest';
import { once } from 'node:events';
import { join } from 'node:path';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { BoardRegistry, type BoardRegistryOptions } from '../../../src/daemon/boards/board-registry.js';
import { knownBoardTypes } from '../../../src/daemon/boards/board-types.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';
import { FakeSysfs } from './discovery/fake-sysfs.js';
import { readStream } from './stream-reader.js';

const noSystemBinding = () => Promise.reject(new Error('not on this test'));

const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  cleanups.splice(0).forEach((c) => c());
});

/** A registry over a fake sysfs and /dev, closed after the test. */
function hostWith(fake: FakeSysfs, options: Partial<BoardRegistryOptions> = {}): BoardRegistry {
  const registry = new BoardRegistry({
    virtualBoards: 1,
    loadSystemBinding: noSystemBinding,
    discovery: { platform: 'linux', sysfsRoot: fake.root, devDir: fake.dev },
    ...options,
  });
  cleanups.push(() => {
    registry.close();
    fake.cleanup();
  });
  return registry;
}

const S3 = { name: 'ttyACM0', vid: '303a', pid: '1001', serial: 'F4:12:FA', product: 'USB JTAG/serial debug unit', location: '1-2' } as const;

describe('board types', () => {
  it('has every catalog type with its rate, default baud and reset style', () => {
    const byType = Object.fromEntries(knownBoardTypes().map((t) => [t.type, t]));
    expect(Object.keys(byType)).toEqual(['arduino-uno', 'esp32-s3', 'rp2040', 'stm32', 'usb-serial', 'virtual']);
    expect(byType['virtual']).toMatchObject({ rate_credits_per_min: 1, default_baud: 115200, reset_style: 'classic' });
    expect(byType['esp32-s3']).toMatchObject({ rate_credits_per_min: 2, reset_style: 'classic' });
    expect(byType['usb-serial']).toMatchObject({ rate_credits_per_min: 1, reset_style: null });
    expect(byType['arduino-uno']).toMatchObject({ default_baud: 9600 });
  });
});

describe('BoardRegistry', () => {
  it('lists virtual boards in a stable order with their records', () => {
    const registry = new BoardRegistry({ virtualBoards: 3, loadSystemBinding: noSystemBinding, discovery: false });
    expect(registry.list().map((b) => b.id)).toEqual(['virtual-1', 'virtual-2', 'virtual-3']);
    expect(registry.get('virtual-2')).toEqual({
      id: 'virtual-2', type: 'virtual', name: 'virtual-2', path: 'virtual:2', vid: null, pid: null, serial_number: null,
      manufacturer: null, product: null, location: null, rate_credits_per_min: 1, baud_rate: 115200, reset_style: 'classic', reset_custom: null, online: true,
    });
    expect(registry.get('virtual-4')).toBeUndefined();
    expect(registry.types()).toEqual(['arduino-uno', 'esp32-s3', 'rp2040', 'stm32', 'usb-serial', 'virtual']);
  });

  it('grows and shrinks the virtual boards on a config change, emitting change', () => {
    const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: noSystemBinding, discovery: false });
    let changes = 0;
    registry.on('change', () => changes++);
    registry.setVirtualCount(4);
    expect(registry.list().map((b) => b.id)).toEqual(['virtual-1', 'virtual-2', 'virtual-3', 'virtual-4']);
    registry.setVirtualCount(4);
    registry.setVirtualCount(0);
    expect(registry.list()).toEqual([]);
    expect(changes).toBe(2);
    expect(() => registry.setVirtualCount(-1)).toThrow('virtual_boards must be a whole number from 0 to 10000; got -1');
    expect(() => new BoardRegistry({ virtualBoards: 1.5, discovery: false })).toThrow(RangeError);
  });

  it('opens a board without resetting it, talks to it, and closes it (twice is fine)', async () => {
    const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: noSystemBinding, discovery: false });
    const port = await registry.open('virtual-2');
    expect(port.board.id).toBe('virtual-2');
    expect(port.stream.isOpen).toBe(true);
    const reader = readStream(port.stream);
    port.stream.write('info\r');
    const out = await reader.until((t) => t.endsWith(PROMPT));
    expect(out.startsWith('info\r\nboard: virtual-2\r\n')).toBe(true); // no banner first: open did not reset it
    await Promise.all([port.close(), port.close()]);
    expect(port.stream.isOpen).toBe(false);
    await port.close();
    // Closed ports can be opened again.
    const again = await registry.open('virtual-2');
    await again.close();
  });

  it('refuses unknown boards with not_found and a board already open with a clear message', async () => {
    const registry = new BoardRegistry({ virtualBoards: 1, loadSystemBinding: noSystemBinding, discovery: false });
    await expect(registry.open('virtual-9')).rejects.toMatchObject({ code: 'not_found' });
    await expect(registry.open('virtual-9')).rejects.toBeInstanceOf(ApiError);
    const port = await registry.open('virtual-1');
    await expect(registry.open('virtual-1')).rejects.toThrow("Could not open board 'virtual-1' (virtual:1): virtual:1 is already open");
    await port.close();
  });

  it('unplugs an open board when the count shrinks past it: its stream closes as disconnected', async () => {
    const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: noSystemBinding, discovery: false });
    const port = await registry.open('virtual-2');
    port.stream.resume();
    const closed = new Promise<Error | null>((resolve) => port.stream.once('close', resolve));
    registry.setVirtualCount(1);
    expect(await closed).toMatchObject({ disconnected: true });
    await port.close(); // already closed: resolves
  });

  it('resets through its control: a hard reset prints the boot banner', async () => {
    const registry = new BoardRegistry({ virtualBoards: 1, loadSystemBinding: noSystemBinding, sleep: async () => undefined, discovery: false });
    const port = await registry.open('virtual-1');
    const reader = readStream(port.stream);
    await port.control.reset('hard');
    const out = await reader.until((t) => t.endsWith(PROMPT));
    expect(out).toContain('rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)');
    await port.close();
  });
});

describe('BoardRegistry with real ports', () => {
  it('lists USB serial boards found in sysfs before the virtual ones, from its first list(), without the native module', () => {
    const loadSystemBinding = vi.fn(noSystemBinding);
    const fake = new FakeSysfs()
      .addConsoleTty('tty0')
      .addUartTty('ttyS0')
      .addUsbTty(S3)
      .addUsbTty({ name: 'ttyUSB0', vid: '10c4', pid: 'ea60', serial: 'CP1', manufacturer: 'Silicon Labs', location: '1-3', driver: 'usb-serial' });
    const registry = hostWith(fake, { loadSystemBinding });
    expect(registry.list().map((b) => [b.id, b.type, b.online])).toEqual([
      ['usb-10c4-ea60-CP1', 'usb-serial', true],
      ['usb-303a-1001-F4_12_FA', 'esp32-s3', true],
      ['virtual-1', 'virtual', true],
    ]);
    expect(registry.get('usb-303a-1001-F4_12_FA')).toMatchObject({
      path: join(fake.dev, 'ttyACM0'), vid: '303a', pid: '1001', serial_number: 'F4:12:FA', location: '1-2', reset_style: 'usb_jtag', rate_credits_per_min: 2,
    });
    expect(loadSystemBinding).not.toHaveBeenCalled();
  });

  it('notices a plug and an unplug within 2 s from /dev events; a board that comes back elsewhere keeps its id', async () => {
    const fake = new FakeSysfs();
    const registry = hostWith(fake, { virtualBoards: 0 });
    expect(registry.list()).toEqual([]);
    const id = 'usb-303a-1001-F4_12_FA';

    let started = Date.now();
    let changed = once(registry, 'change');
    fake.addUsbTty(S3);
    await changed;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(registry.list()).toEqual([expect.objectContaining({ id, online: true, path: join(fake.dev, 'ttyACM0') })]);

    started = Date.now();
    changed = once(registry, 'change');
    fake.remove('ttyACM0');
    await changed;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(registry.list()).toEqual([expect.objectContaining({ id, online: false, path: join(fake.dev, 'ttyACM0') })]);
    await expect(registry.open(id)).rejects.toMatchObject({ code: 'no_board_available' });

    // Native USB re-enumerates on reset, sometimes under the next free name.
    changed = once(registry, 'change');
    fake.addUsbTty({ ...S3, name: 'ttyACM1' });
    await changed;
    expect(registry.list()).toEqual([expect.objectContaining({ id, online: true, path: join(fake.dev, 'ttyACM1') })]);
  });

  it('notices a plug that no event reported on its one periodic rescan', () => {
    vi.useFakeTimers();
    const fake = new FakeSysfs();
    const registry = hostWith(fake, { virtualBoards: 0 });
    const onChange = vi.fn();
    registry.on('change', onChange);
    fake.addUsbTty({ name: 'ttyUSB0', vid: '1a86', pid: '7523', location: '1-1.2', driver: 'usb-serial' });
    vi.advanceTimersByTime(1000);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(registry.list().map((b) => b.id)).toEqual(['usb-1a86-7523-at-1-1.2']);
    vi.advanceTimersByTime(1000);
    expect(onChange).toHaveBeenCalledTimes(1); // nothing changed: no event
    registry.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes config entries at once: a matched board gets the entry name, type, baud and rate; a bad list changes nothing', () => {
    const fake = new FakeSysfs().addUsbTty({ name: 'ttyUSB0', vid: '10c4', pid: 'ea60', serial: 'CP1', driver: 'usb-serial' });
    const registry = hostWith(fake, { virtualBoards: 0 });
    const onChange = vi.fn();
    registry.on('change', onChange);
    registry.setEntries([{ name: 'bench-s3', type: 'esp32-s3', serial_number: 'CP1', baud: 921600, rate_credits_per_min: 4 }]);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(registry.list()).toEqual([
      expect.objectContaining({ id: 'bench-s3', name: 'bench-s3', type: 'esp32-s3', baud_rate: 921600, rate_credits_per_min: 4, reset_style: 'classic' }),
    ]);
    expect(() => registry.setEntries([{ name: 'x', type: 'esp32-s3' }])).toThrow("board 'x' needs a path or a serial_number");
    expect(registry.list().map((b) => b.id)).toEqual(['bench-s3']);
    expect(() => new BoardRegistry({ virtualBoards: 0, discovery: false, entries: [{ name: 'usb-x', type: 'rp2040', path: '/dev/x' }] })).toThrow(RangeError);
  });

  it('opens a real port through the OS binding with hupcl off, so closing it never drops DTR for the next open to pulse', async () => {
    const fake = new FakeSysfs().addUsbTty({ name: 'ttyUSB0', vid: '2341', pid: '0043', serial: 'UNO1', driver: 'usb-serial' });
    const opened: unknown[] = [];
    const system = {
      list: async () => [],
      open: async (o: unknown) => {
        opened.push(o);
        throw new Error('Error: Permission denied, cannot open');
      },
    } as unknown as BindingInterface;
    const registry = hostWith(fake, { loadSystemBinding: async () => system });
    await expect(registry.open('usb-2341-0043-UNO1')).rejects.toThrow("Could not open board 'usb-2341-0043-UNO1'");
    expect(registry.get('usb-2341-0043-UNO1')!.online).toBe(true); // not a port someone else holds: still offered
    expect(opened).toEqual([expect.objectContaining({ path: join(fake.dev, 'ttyUSB0'), baudRate: 9600, hupcl: false })]);
    const port = await registry.open('virtual-1'); // virtual ports never reach the OS binding
    await port.close();
    expect(opened).toHaveLength(1);
  });

  it('costs nothing with discovery off: no timers, no real boards, entries ignored', () => {
    vi.useFakeTimers();
    const registry = new BoardRegistry({ virtualBoards: 2, discovery: false, entries: [{ name: 'pty', type: 'esp32-s3', path: '/dev/null' }] });
    expect(vi.getTimerCount()).toBe(0);
    expect(registry.list().map((b) => b.id)).toEqual(['virtual-1', 'virtual-2']);
  });
});
