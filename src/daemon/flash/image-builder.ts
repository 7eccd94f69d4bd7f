// Builds ESP32-S3 images as esptool's elf2image lays them out: the virtual boards' factory firmware, tests and benches.
import { createHash } from 'node:crypto';
import { APP_DESC_MAGIC, CHECKSUM_MAGIC, ESP_IMAGE_MAGIC } from './esp-image.js';
import { ESP32S3_CHIP_ID } from './chips.js';
import { PARTITION_TABLE_OFFSET, buildPartitionTable, defaultPartitions } from './partition-table.js';

export const APP_OFFSET = 0x10000;
/** DIO, and 8 MB at 80 MHz in esptool's size/frequency byte. */
const DIO = 2;
const SIZE_8MB_80M = 0x3f;
/** The ROM ignores the WP pin field unless it is remapped; esptool writes 0xEE. */
const WP_PIN_DISABLED = 0xee;

export interface SegmentSpec {
  addr: number;
  data: Buffer;
}

export interface ImageSpec {
  segments: SegmentSpec[];
  entry: number;
  chipId?: number;
  hashAppended?: boolean;
  minRevFull?: number;
  maxRevFull?: number;
}

export function buildEspImage(spec: ImageSpec): Buffer {
  const header = Buffer.alloc(24);
  header[0] = ESP_IMAGE_MAGIC;
  header[1] = spec.segments.length;
  header[2] = DIO;
  header[3] = SIZE_8MB_80M;
  header.writeUInt32LE(spec.entry >>> 0, 4);
  header[8] = WP_PIN_DISABLED;
  header.writeUInt16LE(spec.chipId ?? ESP32S3_CHIP_ID, 12);
  header.writeUInt16LE(spec.minRevFull ?? 0, 15);
  header.writeUInt16LE(spec.maxRevFull ?? 99, 17);
  const hashAppended = spec.hashAppended ?? true;
  header[23] = hashAppended ? 1 : 0;
  const parts: Buffer[] = [header];
  let length = header.length;
  let checksum = CHECKSUM_MAGIC;
  for (const s of spec.segments) {
    if (s.data.length % 4 !== 0) throw new RangeError(`segment at 0x${s.addr.toString(16)} is ${s.data.length} bytes, not a multiple of 4`);
    const h = Buffer.alloc(8);
    h.writeUInt32LE(s.addr >>> 0, 0);
    h.writeUInt32LE(s.data.length, 4);
    parts.push(h, s.data);
    length += 8 + s.data.length;
    for (const b of s.data) checksum ^= b;
  }
  const tail = Buffer.alloc(16 - (length % 16));
  tail[tail.length - 1] = checksum;
  parts.push(tail);
  const image = Buffer.concat(parts);
  return hashAppended ? Buffer.concat([image, createHash('sha256').update(image).digest()]) : image;
}

export interface AppSpec {
  projectName: string;
  version: string;
  idfVersion?: string;
  /** Total image size in bytes (rounded down to 16); default 64 KiB. */
  size?: number;
  chipId?: number;
  /** Seeds the filler, so two builds of one spec are identical and different seeds differ. */
  seed?: number;
}

export function appDescBytes(app: AppSpec): Buffer {
  const d = Buffer.alloc(256);
  d.writeUInt32LE(APP_DESC_MAGIC, 0);
  d.write(app.version.slice(0, 31), 16, 'utf8');
  d.write(app.projectName.slice(0, 31), 48, 'utf8');
  d.write('10:00:00', 80, 'utf8');
  d.write('Jan  2 2025', 96, 'utf8');
  d.write((app.idfVersion ?? 'v5.2.1').slice(0, 31), 112, 'utf8');
  return d;
}

const IRAM_SEGMENT_LEN = 256;
/** Header, two segment headers, the IRAM segment, checksum line and digest: what the DROM segment leaves room for. */
const APP_OVERHEAD = 24 + 8 + 8 + IRAM_SEGMENT_LEN + 16 + 32;

/** An app image whose esp_app_desc_t names the project and version: DROM (descriptor + filler) and a small IRAM segment. */
export function buildAppImage(app: AppSpec): Buffer {
  const size = Math.floor((app.size ?? 0x10000) / 16) * 16;
  const dromLen = Math.max(256, size - APP_OVERHEAD);
  const drom = Buffer.alloc(dromLen);
  appDescBytes(app).copy(drom);
  fillFirmwareLike(drom.subarray(256), app.seed ?? 1);
  return buildEspImage({
    chipId: app.chipId ?? ESP32S3_CHIP_ID,
    entry: 0x40375a3c,
    segments: [
      { addr: 0x3c000020, data: drom },
      { addr: 0x40374000, data: Buffer.alloc(IRAM_SEGMENT_LEN, 0x36) },
    ],
  });
}

/** The 2nd stage bootloader's load segments and entry point, as the ROM prints them at boot. */
export const BOOTLOADER_SEGMENTS: ReadonlyArray<{ addr: number; length: number }> = [
  { addr: 0x3fce3818, length: 0x16f8 },
  { addr: 0x403c9700, length: 0x4 },
  { addr: 0x403c9704, length: 0xc00 },
  { addr: 0x403cc700, length: 0x2eb0 },
];
export const BOOTLOADER_ENTRY = 0x403c9908;

export function buildBootloaderImage(chipId = ESP32S3_CHIP_ID): Buffer {
  return buildEspImage({
    chipId,
    entry: BOOTLOADER_ENTRY,
    segments: BOOTLOADER_SEGMENTS.map((s, i) => {
      const data = Buffer.alloc(s.length);
      fillFirmwareLike(data, 100 + i);
      return { addr: s.addr, data };
    }),
  });
}

/** A merged image as `esptool merge_bin` writes it: bootloader at 0x0, partition table at 0x8000, app at 0x10000. */
export function buildMergedImage(options: { flashSize: number; app: AppSpec }): Buffer {
  const app = buildAppImage(options.app);
  const out = Buffer.alloc(APP_OFFSET + app.length, 0xff);
  buildBootloaderImage().copy(out, 0);
  buildPartitionTable(defaultPartitions(options.flashSize)).copy(out, PARTITION_TABLE_OFFSET);
  app.copy(out, APP_OFFSET);
  return out;
}

/**
 * Deterministic bytes that compress about as well as real firmware (zlib -9: about 58%): random bytes, with runs
 * copied from the last few KiB now and then, as compiled code and data repeat themselves.
 */
export function fillFirmwareLike(target: Buffer, seed: number): void {
  let x = (seed * 0x9e3779b1) >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
  let i = 0;
  while (i < target.length) {
    const r = next();
    if (i >= 4096 && r % 32 === 0) {
      const len = Math.min(8 + (next() % 40), target.length - i);
      const from = i - 64 - (next() % 4000);
      target.copy(target, i, from, from + len);
      i += len;
    } else target[i++] = r >>> 24;
  }
}
