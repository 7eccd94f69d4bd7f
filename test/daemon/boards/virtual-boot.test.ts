import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BOOT_RETRY_MS, EN_RC_DELAY_MS, VirtualDevice } from '../../../src/daemon/boards/virtual-device.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { bootFromFlash, factoryImage } from '../../../src/daemon/boards/virtual-boot.js';
import { VirtualFlash } from '../../../src/daemon/boards/virtual-flash.js';
import { buildAppImage, buildBootloaderImage } from '../../../src/daemon/flash/image-builder.js';

function text(device: VirtualDevice): string {
  const buf = Buffer.alloc(1 << 20);
  return buf.toString('latin1', 0, device.read(buf, 0, buf.length));
}

const flashWith = (writes: Array<[number, Buffer]>) => {
  const flash = new VirtualFlash({ initial: factoryImage });
  for (const [at, data] of writes) {
    flash.erase(at, data.length);
    flash.write(at, data);
  }
  return flash;
};

describe('booting a virtual board from its flash', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('runs the factory image as before: the ROM loads the bootloader segments, the app names itself', () => {
    const result = bootFromFlash(new VirtualFlash({ initial: factoryImage }));
    expect(result.ok).toBe(true);
    expect(result.lines.slice(0, 7)).toEqual(['SPIWP:0xee', 'mode:DIO, clock div:1', 'load:0x3fce3818,len:0x16f8', 'load:0x403c9700,len:0x4', 'load:0x403c9704,len:0xc00', 'load:0x403cc700,len:0x2eb0', 'entry 0x403c9908']);
    expect(result.lines).toContain('I (133) boot: Loaded app from partition at offset 0x10000');
    expect(result.lines).toContain('I (160) app_init: Project name:     fbay-virtual');
    expect(result.lines).toContain('I (165) app_init: App version:      1.0.0');
  });

  it('says why an app does not boot, as ESP-IDF does', () => {
    const erased = bootFromFlash(flashWith([[0x10000, Buffer.alloc(0x1000, 0xff)]]));
    expect(erased).toMatchObject({ ok: false, reset: 'sw-sys' });
    expect(erased.lines).toContain('E (71) esp_image: image at 0x10000 has invalid magic byte (nothing flashed)');
    expect(erased.lines).toContain('E (82) boot: No bootable app partitions in the partition table');
    const c3 = bootFromFlash(flashWith([[0x10000, buildAppImage({ projectName: 'c3', version: '1', chipId: 5 })]]));
    expect(c3.lines).toContain('E (71) boot_comm: mismatch chip ID, expected 9, found 5');
    const damaged = buildAppImage({ projectName: 'd', version: '1' });
    damaged[0x200] ^= 1;
    expect(bootFromFlash(flashWith([[0x10000, damaged]])).lines.some((l) => l.includes('esp_image: Checksum failed.'))).toBe(true);
    const noTable = bootFromFlash(flashWith([[0x8000, Buffer.alloc(0x1000, 0xff)]]));
    expect(noTable.lines).toContain('E (65) boot: load partition table error!');
    const wrongBootloader = bootFromFlash(flashWith([[0, buildBootloaderImage(5)]]));
    expect(wrongBootloader).toMatchObject({ ok: false, reset: 'watchdog', lines: ['Invalid chip id. Expected 9 read 5. Bootloader for wrong chip?'] });
  });

  it('keeps rebooting an erased chip, one try a second, with `invalid header: 0xffffffff`', () => {
    const flash = new VirtualFlash({ initial: () => Buffer.alloc(0) });
    const device = new VirtualDevice({ name: 'virtual-9', flash });
    device.connect(() => undefined);
    device.powerOn();
    expect(text(device)).toBe('ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\ninvalid header: 0xffffffff\r\n');
    expect(device.state).toBe('boot-failed');
    device.write(Buffer.from('help\r'));
    vi.advanceTimersByTime(BOOT_RETRY_MS - 1);
    expect(text(device)).toBe('');
    vi.advanceTimersByTime(1);
    expect(text(device)).toContain('rst:0x7 (TG0WDT_SYS_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\nSaved PC:0x40043ac8\r\ninvalid header: 0xffffffff\r\n');
    vi.advanceTimersByTime(10 * BOOT_RETRY_MS);
    expect(text(device).match(/invalid header/g)).toHaveLength(10);
  });

  it('simulates power: off drops input and prints nothing, even through a reset; on is a POWERON boot', () => {
    const device = new VirtualDevice({ name: 'virtual-4' });
    device.connect(() => undefined);
    device.powerOff();
    expect(device.state).toBe('off');
    device.write(Buffer.from('echo lost\r'));
    device.setPins({ en: false, io0: true });
    device.setPins({ en: true, io0: true });
    vi.advanceTimersByTime(EN_RC_DELAY_MS * 2);
    expect(text(device)).toBe('');
    device.powerOn();
    const out = text(device);
    expect(out.startsWith('ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON)')).toBe(true);
    expect(out.endsWith(PROMPT)).toBe(true);
    expect(out).not.toContain('lost');
  });
});
