import { describe, expect, it } from 'vitest';
import { checksumOk, parseEspImage, sha256Ok } from '../../../src/daemon/flash/esp-image.js';
import { buildAppImage, buildBootloaderImage, buildEspImage, buildMergedImage } from '../../../src/daemon/flash/image-builder.js';
import { defaultOffset, identifyImage } from '../../../src/daemon/flash/image-kind.js';
import { bootAppPartition, buildPartitionTable, defaultPartitions, parsePartitionTable } from '../../../src/daemon/flash/partition-table.js';

const app = buildAppImage({ projectName: 'blink', version: '2.1.0', idfVersion: 'v5.3.1', size: 0x8000 });

describe('parseEspImage', () => {
  it('reads the header, extended header, segments, checksum, digest and app descriptor', () => {
    const r = parseEspImage(app);
    if (!r.ok) throw new Error(r.problem.message);
    const image = r.image;
    expect(app.length).toBe(0x8000);
    expect(image.length).toBe(app.length);
    expect(image).toMatchObject({ chipId: 9, hashAppended: true, entry: 0x40375a3c, flashMode: 2, flashSizeFreq: 0x3f });
    expect(image.segments.map((s) => s.addr)).toEqual([0x3c000020, 0x40374000]);
    expect(image.segments[0]!.dataOffset).toBe(0x20);
    expect(checksumOk(image)).toBe(true);
    expect(sha256Ok(image)).toBe(true);
    expect(image.appDesc).toEqual({ projectName: 'blink', version: '2.1.0', idfVersion: 'v5.3.1', time: '10:00:00', date: 'Jan  2 2025' });
  });

  it('pads to 15 mod 16 for the checksum byte, and works without a digest', () => {
    const image = buildEspImage({ entry: 0x40370000, hashAppended: false, segments: [{ addr: 0x40370000, data: Buffer.alloc(12, 1) }] });
    // 24 header + 8 + 12 = 44, padded to 47, checksum at 47: 48 bytes.
    expect(image.length).toBe(48);
    const r = parseEspImage(image);
    expect(r.ok && r.image.sha256 === null && r.image.checksum.stored === (0xef ^ 0) && checksumOk(r.image)).toBe(true);
  });

  it('reports a bad checksum and a bad digest without failing the parse', () => {
    const damaged = Buffer.from(app);
    damaged[0x300] ^= 0xff;
    const r = parseEspImage(damaged);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(checksumOk(r.image)).toBe(false);
      expect(sha256Ok(r.image)).toBe(false);
    }
  });

  it('names what is wrong with a truncated image, a wrong magic and too many segments', () => {
    const cut = parseEspImage(app.subarray(0, 0x4000));
    expect(cut).toMatchObject({ ok: false, problem: { code: 'truncated', message: expect.stringContaining('segment 0') } });
    expect(parseEspImage(app.subarray(0, app.length - 10))).toMatchObject({ ok: false, problem: { code: 'truncated', message: expect.stringContaining('SHA-256') } });
    expect(parseEspImage(Buffer.alloc(10))).toMatchObject({ ok: false, problem: { code: 'short' } });
    expect(parseEspImage(Buffer.alloc(64, 0xff))).toMatchObject({ ok: false, problem: { code: 'magic', message: expect.stringContaining('0xff') } });
    const many = Buffer.from(app);
    many[1] = 17;
    expect(parseEspImage(many)).toMatchObject({ ok: false, problem: { code: 'segments' } });
  });
});

describe('identifyImage', () => {
  it('tells apps, bootloaders, merged images, partition tables, ELF files and data apart', () => {
    expect(identifyImage(app)).toMatchObject({ kind: 'app', problem: null });
    expect(identifyImage(buildBootloaderImage())).toMatchObject({ kind: 'bootloader' });
    const merged = identifyImage(buildMergedImage({ flashSize: 8 << 20, app: { projectName: 'm', version: '1' } }));
    expect(merged.kind).toBe('merged');
    expect(merged.images.map((i) => [i.at, i.role])).toEqual([
      [0, 'bootloader'],
      [0x10000, 'app'],
    ]);
    expect(identifyImage(buildPartitionTable(defaultPartitions(8 << 20))).kind).toBe('partition-table');
    expect(identifyImage(Buffer.from('\x7fELF\x01\x01\x01', 'latin1')).kind).toBe('elf');
    expect(identifyImage(Buffer.alloc(0x6000, 0)).kind).toBe('data');
  });

  it('gives each kind its ESP32-S3 offset', () => {
    expect([defaultOffset('app'), defaultOffset('bootloader'), defaultOffset('merged'), defaultOffset('partition-table'), defaultOffset('data')]).toEqual([
      0x10000, 0, 0, 0x8000, null,
    ]);
  });
});

describe('partition table', () => {
  it('round-trips with its MD5 entry and finds the factory app', () => {
    const table = buildPartitionTable(defaultPartitions(8 << 20));
    const parts = parsePartitionTable(table);
    expect(parts?.map((p) => p.label)).toEqual(['nvs', 'phy_init', 'factory']);
    expect(bootAppPartition(parts!)).toMatchObject({ offset: 0x10000, size: 0x7f0000 });
    const bad = Buffer.from(table);
    bad[40] ^= 1;
    expect(parsePartitionTable(bad)).toBeNull();
  });
});
