import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoardRegistry } from '../../../src/daemon/boards/board-registry.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { FlashError } from '../../../src/daemon/flash/flash-errors.js';
import { flashImages, type FlashOptions } from '../../../src/daemon/flash/flash-images.js';
import type { FlashProgress } from '../../../src/daemon/flash/flash-progress.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { buildPartitionTable, defaultPartitions } from '../../../src/daemon/flash/partition-table.js';
import { systemClock } from '../../../src/shared/clock.js';
import { readStream } from '../boards/stream-reader.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function registry(flashDir?: string): BoardRegistry {
  const r = new BoardRegistry({ virtualBoards: 2, discovery: false, ...(flashDir ? { flashDir } : {}) });
  cleanups.push(() => r.close());
  return r;
}

async function open(r: BoardRegistry, id = 'virtual-1') {
  const port = await r.open(id);
  cleanups.push(() => port.close());
  return port;
}

function options(extra: Partial<FlashOptions> = {}): FlashOptions & { progress: FlashProgress[]; log: string[] } {
  const progress: FlashProgress[] = [];
  const log: string[] = [];
  return { verify: true, eraseAll: false, clock: systemClock, onProgress: (p) => progress.push(p), onLog: (l) => log.push(l), progress, log, ...extra };
}

const blink = buildAppImage({ projectName: 'blink', version: '2.1.0', size: 200 * 1024, seed: 7 });
const booted = (project: string, version: string) => (t: string) =>
  t.includes(`app_init: Project name:     ${project}\r\n`) && t.includes(`app_init: App version:      ${version}\r\n`) && t.endsWith(PROMPT);

describe('flashImages on a virtual board, through its real port', () => {
  it('writes, verifies and resets into the new app, whose name and version the boot log shows', async () => {
    const port = await open(registry());
    const board = readStream(port.stream);
    const o = options({ baud: 921600 });
    const result = await flashImages(port, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], o);
    await board.until(booted('blink', '2.1.0'));
    expect(result).toMatchObject({ chip: 'ESP32-S3', baud: 921600, written: blink.length });
    expect(result.images).toEqual([{ name: 'blink.bin', offset: 0x10000, size: blink.length, compressed: expect.any(Number), md5: expect.stringMatching(/^[0-9a-f]{32}$/) }]);
    expect(result.images[0]!.compressed!).toBeLessThan(blink.length * 0.8);
    expect(result.kbit_s).toBeGreaterThan(0);
    expect(result.wire.tx).toBeGreaterThan(result.images[0]!.compressed!);
    const phases = o.progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['connecting', 'erasing', 'writing', 'verifying', 'resetting']);
    expect(o.progress.at(-1)).toMatchObject({ written: blink.length, total: blink.length });
    expect(o.log).toContain('Chip is ESP32-S3.');
    // The port is the app's again: the shell answers at the ROM's rate.
    board.reset();
    port.stream.write('echo after flash\r');
    await board.until((t) => t.includes(`after flash\r\n${PROMPT}`));
  });

  it('keeps the flash in the state dir: a new registry boots what was flashed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbay-flash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await open(registry(dir));
    await flashImages(first, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], options());
    await first.close();
    expect(existsSync(join(dir, 'virtual-1.flash'))).toBe(true);
    const again = await open(registry(dir));
    const board = readStream(again.stream);
    await again.control.reset('hard');
    await board.until(booted('blink', '2.1.0'));
  });

  it('erases the whole flash with --erase-all: the ROM then finds no bootloader and reboots slowly', async () => {
    const port = await open(registry());
    const board = readStream(port.stream);
    const table = buildPartitionTable(defaultPartitions(8 << 20));
    await flashImages(port, [{ offset: 0x8000, data: table, name: 'partitions.bin' }], options({ eraseAll: true }));
    const t = await board.until((s) => (s.match(/invalid header: 0xffffffff\r\n/g) ?? []).length >= 2);
    expect(t).toContain('rst:0x7 (TG0WDT_SYS_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)');
  });

  it('reports an MD5 mismatch naming the image', async () => {
    const r = registry();
    const port = await open(r);
    const flash = r.virtualDevice('virtual-1')!.flash;
    const write = flash.write.bind(flash);
    flash.write = (offset, data) => write(offset, offset === 0x10000 ? Buffer.from(data).fill(~data[100]! & 0xff, 100, 101) : data);
    const err = await flashImages(port, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect(err).toMatchObject({ kind: 'md5_mismatch', details: { image: 'blink.bin', resume: { image: 0, bytes: 0 } } });
    expect((err as Error).message).toMatch(/^'blink.bin' at 0x10000 does not match the flash after writing \(flash MD5 [0-9a-f]{32}, file MD5 [0-9a-f]{32}\)/);
  });

  it('stops on abort, says where, and leaves the board out of download mode', async () => {
    const port = await open(registry());
    const stop = new AbortController();
    const o = options({ signal: stop.signal, onProgress: (p) => p.phase === 'writing' && p.written > 50_000 && stop.abort() });
    const err = await flashImages(port, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], o).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'aborted', message: expect.stringMatching(/^Flashing was stopped at 0x[0-9a-f]+ while writing 'blink.bin' \(\d+ of 204800 bytes in flash\); the board may not boot/) });
  });

  it('survives the port going away mid-write: a retry on the new port resumes where the ROM had got to', async () => {
    const r = registry();
    const port = await open(r);
    const o = options({ onProgress: (p) => p.phase === 'writing' && p.written > 100_000 && r.setVirtualCount(0) });
    const err = (await flashImages(port, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], o).catch((e: unknown) => e)) as FlashError;
    expect(err).toMatchObject({ kind: 'port_lost', details: { offset: expect.any(Number), resume: { image: 0, bytes: expect.any(Number) } } });
    expect(err.message).toMatch(/^The board's port virtual:1 went away at 0x[0-9a-f]+ while writing 'blink.bin' .*the board may not boot until it is flashed again/);
    expect(err.details.resume!.bytes).toBeGreaterThan(90_000);

    r.setVirtualCount(2); // it re-enumerates
    const back = await open(r);
    const board = readStream(back.stream);
    const again = options({ resume: err.details.resume! });
    const result = await flashImages(back, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], again);
    const from = Number(/at (0x[0-9a-f]+)\.\.\.$/.exec(again.log.find((l) => l.startsWith('Writing'))!)![1]);
    expect(from).toBeGreaterThan(0x10000 + 80_000);
    expect(from).toBeLessThanOrEqual(0x10000 + err.details.resume!.bytes);
    expect(result.images[0]!.md5).not.toBeNull();
    await board.until(booted('blink', '2.1.0'));
  });
});

describe('flashImages when the board will not enter download mode', () => {
  it('says it booted normally, quoting its boot log', async () => {
    const port = await open(registry());
    // A board whose "bootloader" sequence is a plain reset: IO0 is never pulled low.
    const c = port.control;
    const control = { reset: () => c.reset('hard'), setSignals: c.setSignals.bind(c), setBaud: c.setBaud.bind(c), sendBreak: c.sendBreak.bind(c) };
    const stubborn = { label: port.label, stream: port.stream, close: port.close, control };
    const err = await flashImages(stubborn, [{ offset: 0x10000, data: blink, name: 'blink.bin' }], options({ connectAttempts: 1 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'no_sync' });
    expect((err as Error).message).toContain('did not answer esptool\'s sync in 1 attempts. It booted normally (boot:0x8), not into download mode');
    expect((err as Error).message).toContain('Last output from the board:\n');
    expect((err as FlashError).details.bootOutput).toContain('rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)');
  });
});
