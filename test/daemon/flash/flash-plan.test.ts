import { describe, expect, it } from 'vitest';
import { checkDeclaredSize, checkFlashPlan, type ImageInput } from '../../../src/daemon/flash/flash-plan.js';
import { buildAppImage, buildBootloaderImage, buildMergedImage } from '../../../src/daemon/flash/image-builder.js';
import { buildPartitionTable, defaultPartitions } from '../../../src/daemon/flash/partition-table.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';

const app = buildAppImage({ projectName: 'blink', version: '2.1.0', size: 0x8000 });
const c3App = buildAppImage({ projectName: 'blink', version: '2.1.0', size: 0x8000, chipId: 5 });

function refusal(inputs: ImageInput[], options: { boardType?: string; force?: boolean; flashSize?: number } = {}): ApiError {
  try {
    checkFlashPlan(inputs, { boardType: options.boardType ?? 'virtual', ...options });
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the plan to be refused');
}

describe('checkFlashPlan', () => {
  it('puts a single file where its kind belongs and describes it', () => {
    const plan = checkFlashPlan([{ offset: null, data: app, name: 'blink.bin' }], { boardType: 'esp32-s3' });
    expect(plan.images).toEqual([expect.objectContaining({ offset: 0x10000, kind: 'app', description: 'app: blink 2.1.0 (ESP-IDF v5.2.1)' })]);
    const merged = buildMergedImage({ flashSize: 8 << 20, app: { projectName: 'm', version: '1' } });
    const three = checkFlashPlan(
      [
        { offset: null, data: buildBootloaderImage(), name: 'bootloader.bin' },
        { offset: null, data: buildPartitionTable(defaultPartitions(8 << 20)), name: 'partition-table.bin' },
        { offset: null, data: app, name: 'blink.bin' },
      ],
      { boardType: 'virtual' },
    );
    expect(three.images.map((i) => [i.offset, i.kind])).toEqual([
      [0, 'bootloader'],
      [0x8000, 'partition-table'],
      [0x10000, 'app'],
    ]);
    expect(checkFlashPlan([{ offset: null, data: merged, name: 'merged.bin' }], { boardType: 'virtual' }).images[0]).toMatchObject({ offset: 0, kind: 'merged' });
  });

  it('refuses an image for another chip by name, unless forced', () => {
    const err = refusal([{ offset: null, data: c3App, name: 'c3.bin' }]);
    expect(err.code).toBe('invalid_request');
    expect(err.message).toBe(
      "'c3.bin' is an image for an ESP32-C3, but this board (virtual) is an ESP32-S3: build it for ESP32-S3 (`idf.py set-target esp32s3`). Pass --force to flash it anyway.",
    );
    const forced = checkFlashPlan([{ offset: null, data: c3App, name: 'c3.bin' }], { boardType: 'virtual', force: true });
    expect(forced.forced).toEqual([expect.stringContaining('ESP32-C3')]);
  });

  it('refuses a truncated image, a zero-byte file and an ELF file, even with --force', () => {
    expect(refusal([{ offset: null, data: app.subarray(0, 0x1000), name: 'cut.bin' }], { force: true }).message).toMatch(/^'cut.bin' is not a valid ESP image: segment 0 .* past the end of the file\. Build or copy it again\.$/);
    expect(refusal([{ offset: 0x10000, data: Buffer.alloc(0), name: 'empty.bin' }], { force: true }).message).toContain("'empty.bin' is empty (0 bytes)");
    const elf = refusal([{ offset: null, data: Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'), name: 'app.elf' }], { force: true });
    expect(elf.message).toContain('elf2image');
    expect(elf.message).toContain('idf.py build');
  });

  it('refuses a bad checksum unless forced, and says which check --force let through', () => {
    const damaged = Buffer.from(app);
    damaged[0x400] ^= 0x55;
    expect(refusal([{ offset: null, data: damaged, name: 'bad.bin' }]).message).toMatch(/fails its checksum \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+\)/);
    const forced = checkFlashPlan([{ offset: null, data: damaged, name: 'bad.bin' }], { boardType: 'virtual', force: true }).forced;
    expect(forced).toEqual([expect.stringContaining('checksum'), expect.stringContaining('SHA-256')]);
  });

  it('refuses unaligned, overlapping and past-the-end offsets, even with --force', () => {
    expect(refusal([{ offset: 0x10100, data: app, name: 'a.bin' }], { force: true }).message).toBe(
      "'a.bin' at 0x10100: offsets must be multiples of 4 KiB (0x1000), the flash's erase sector; use 0x10000 or 0x11000.",
    );
    const overlap = refusal(
      [
        { offset: 0x10000, data: app, name: 'a.bin' },
        { offset: 0x14000, data: app, name: 'b.bin' },
      ],
      { force: true },
    );
    expect(overlap.message).toBe("'a.bin' (0x10000–0x17fff) and 'b.bin' (from 0x14000) overlap: move 'b.bin' to 0x18000 or later, or flash them one at a time.");
    expect(refusal([{ offset: 0x7fc000, data: app, name: 'a.bin' }], { force: true }).message).toBe(
      "'a.bin' (32 KiB) at 0x7fc000 ends at 0x804000, past the end of the 8 MiB flash (0x800000). Use a lower offset or a smaller image.",
    );
    expect(refusal([{ offset: 0x800000, data: app, name: 'a.bin' }]).message).toContain('past the end');
  });

  it('asks for an offset for data it cannot place, and accepts it with one', () => {
    const nvs = Buffer.alloc(0x6000, 0xff);
    expect(refusal([{ offset: null, data: nvs, name: 'nvs.bin' }]).message).toContain('give its offset, e.g. `fbay flash 0x9000 nvs.bin`');
    expect(checkFlashPlan([{ offset: 0x9000, data: nvs, name: 'nvs.bin' }], { boardType: 'virtual' }).images[0]).toMatchObject({ kind: 'data', offset: 0x9000 });
  });

  it('refuses a bootloader away from 0x0 on an ESP32-S3 unless forced', () => {
    expect(refusal([{ offset: 0x1000, data: buildBootloaderImage(), name: 'bootloader.bin' }]).message).toContain('boots its bootloader from 0x0');
  });

  it('refuses a file bigger than the flash as payload_too_large, by its declared size alone', () => {
    expect(() => checkDeclaredSize(100 * 1024 * 1024)).toThrow(expect.objectContaining({ code: 'payload_too_large', status: 413, message: expect.stringContaining("100 MiB, larger than the board's 8 MiB flash") }));
    expect(() => checkDeclaredSize(8 * 1024 * 1024)).not.toThrow();
    expect(refusal([{ offset: 0, data: Buffer.alloc(9 << 20), name: 'huge.bin' }]).code).toBe('payload_too_large');
  });
});
