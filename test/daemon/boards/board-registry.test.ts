import { describe, expect, it } from 'vitest';
import { BoardRegistry } from '../../../src/daemon/boards/board-registry.js';
import { knownBoardTypes } from '../../../src/daemon/boards/board-types.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';
import { readStream } from './stream-reader.js';

const noSystemBinding = () => Promise.reject(new Error('not on this test'));

describe('board types', () => {
  it('has virtual, esp32-s3 and usb-serial with their rates and default baud', () => {
    const byType = Object.fromEntries(knownBoardTypes().map((t) => [t.type, t]));
    expect(byType['virtual']).toMatchObject({ rate_credits_per_min: 1, default_baud: 115200 });
    expect(byType['esp32-s3']).toMatchObject({ rate_credits_per_min: 2 });
    expect(byType['usb-serial']).toMatchObject({ rate_credits_per_min: 1 });
  });
});

describe('BoardRegistry', () => {
  it('lists virtual boards in a stable order with their records', () => {
    const registry = new BoardRegistry({ virtualBoards: 3, loadSystemBinding: noSystemBinding });
    expect(registry.list().map((b) => b.id)).toEqual(['virtual-1', 'virtual-2', 'virtual-3']);
    expect(registry.get('virtual-2')).toEqual({
      id: 'virtual-2', type: 'virtual', name: 'virtual-2', path: 'virtual:2', vid: null, pid: null, serial_number: null,
      rate_credits_per_min: 1, baud_rate: 115200, online: true,
    });
    expect(registry.get('virtual-4')).toBeUndefined();
    expect(registry.types()).toEqual(['esp32-s3', 'usb-serial', 'virtual']);
  });

  it('grows and shrinks the virtual boards on a config change, emitting change', () => {
    const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: noSystemBinding });
    let changes = 0;
    registry.on('change', () => changes++);
    registry.setVirtualCount(4);
    expect(registry.list().map((b) => b.id)).toEqual(['virtual-1', 'virtual-2', 'virtual-3', 'virtual-4']);
    registry.setVirtualCount(4);
    registry.setVirtualCount(0);
    expect(registry.list()).toEqual([]);
    expect(changes).toBe(2);
    expect(() => registry.setVirtualCount(-1)).toThrow('virtual_boards must be a whole number from 0 to 10000; got -1');
    expect(() => new BoardRegistry({ virtualBoards: 1.5 })).toThrow(RangeError);
  });

  it('opens a board without resetting it, talks to it, and closes it (twice is fine)', async () => {
    const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: noSystemBinding });
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
    const registry = new BoardRegistry({ virtualBoards: 1, loadSystemBinding: noSystemBinding });
    await expect(registry.open('virtual-9')).rejects.toMatchObject({ code: 'not_found' });
    await expect(registry.open('virtual-9')).rejects.toBeInstanceOf(ApiError);
    const port = await registry.open('virtual-1');
    await expect(registry.open('virtual-1')).rejects.toThrow("Could not open board 'virtual-1' (virtual:1): virtual:1 is already open");
    await port.close();
  });

  it('unplugs an open board when the count shrinks past it: its stream closes as disconnected', async () => {
    const registry = new BoardRegistry({ virtualBoards: 2, loadSystemBinding: noSystemBinding });
    const port = await registry.open('virtual-2');
    port.stream.resume();
    const closed = new Promise<Error | null>((resolve) => port.stream.once('close', resolve));
    registry.setVirtualCount(1);
    expect(await closed).toMatchObject({ disconnected: true });
    await port.close(); // already closed: resolves
  });

  it('resets through its control: a hard reset prints the boot banner', async () => {
    const registry = new BoardRegistry({ virtualBoards: 1, loadSystemBinding: noSystemBinding, sleep: async () => undefined });
    const port = await registry.open('virtual-1');
    const reader = readStream(port.stream);
    await port.control.reset('hard');
    const out = await reader.until((t) => t.endsWith(PROMPT));
    expect(out).toContain('rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)');
    await port.close();
  });
});
