// What an ESP32-S3 prints as it boots from flash: the ROM loading the 2nd stage bootloader, then the bootloader the app.
import { parseEspImage, checksumOk, sha256Ok, type AppDesc, type EspImage } from '../flash/esp-image.js';
import { ESP32S3_CHIP_ID } from '../flash/chips.js';
import { PARTITION_TABLE_OFFSET, PARTITION_TABLE_LEN, bootAppPartition, parsePartitionTable } from '../flash/partition-table.js';
import { buildMergedImage } from '../flash/image-builder.js';
import { VIRTUAL_FLASH_SIZE, type VirtualFlash } from './virtual-flash.js';

/** A boot that reached the app (then the shell runs), or one that stopped, and how the chip resets after it. */
export type BootResult = { ok: true; lines: string[]; app: AppDesc } | { ok: false; lines: string[]; reset: 'watchdog' | 'sw-sys' };

export const FACTORY_APP = { projectName: 'fbay-virtual', version: '1.0.0', idfVersion: 'v5.2.1' } as const;
let factory: Buffer | null = null;

/** What a fresh virtual board's flash holds: bootloader, partition table and the fbay-virtual app, built once. */
export function factoryImage(): Buffer {
  factory ??= buildMergedImage({ flashSize: VIRTUAL_FLASH_SIZE, app: { ...FACTORY_APP, size: 0x10000 } });
  return factory;
}

const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const MODES = ['QIO', 'QOUT', 'DIO', 'DOUT'];
/** The bootloader partition on an ESP32-S3 runs from 0x0 to the partition table. */
const BOOTLOADER_MAX = PARTITION_TABLE_OFFSET;

/** The image at `offset`, read header by header so only its own bytes are read (an app partition may be megabytes). */
export function readImage(flash: VirtualFlash, offset: number, limit: number): { image: EspImage | null; first: number; why: string } {
  const first = flash.read(offset, 4).readUInt32LE(0);
  const head = flash.read(offset, 24);
  if (head[0] !== 0xe9) return { image: null, first, why: 'magic' };
  let end = 24;
  for (let i = 0; i < Math.min(head[1]!, 17) && end + 8 <= limit; i++) end += 8 + flash.read(offset + end, 8).readUInt32LE(4);
  end += 16 + 32; // checksum line and a digest, if any
  const parsed = parseEspImage(flash.read(offset, Math.min(end, limit, flash.size - offset)));
  return parsed.ok ? { image: parsed.image, first, why: '' } : { image: null, first, why: parsed.problem.message };
}

export function bootFromFlash(flash: VirtualFlash): BootResult {
  const lines: string[] = [];
  const stop = (reset: 'watchdog' | 'sw-sys'): BootResult => ({ ok: false, lines, reset });
  // ROM: the 2nd stage bootloader at 0x0.
  const boot = readImage(flash, 0, BOOTLOADER_MAX);
  if (!boot.image) {
    lines.push(`invalid header: ${hex8(boot.first)}`);
    return stop('watchdog');
  }
  if (!checksumOk(boot.image)) {
    lines.push(`Checksum failure. Calculated 0x${boot.image.checksum.computed.toString(16)} stored 0x${boot.image.checksum.stored.toString(16)}`);
    return stop('watchdog');
  }
  if (boot.image.chipId !== ESP32S3_CHIP_ID) {
    lines.push(`Invalid chip id. Expected ${ESP32S3_CHIP_ID} read ${boot.image.chipId}. Bootloader for wrong chip?`);
    return stop('watchdog');
  }
  lines.push('SPIWP:0xee', `mode:${MODES[boot.image.flashMode] ?? 'DIO'}, clock div:1`);
  for (const s of boot.image.segments) lines.push(`load:0x${s.addr.toString(16)},len:0x${s.length.toString(16)}`);
  lines.push(`entry 0x${boot.image.entry.toString(16)}`);
  lines.push(...BOOTLOADER_START);

  // 2nd stage bootloader: the partition table, then the app it names.
  const parts = parsePartitionTable(flash.read(PARTITION_TABLE_OFFSET, PARTITION_TABLE_LEN));
  if (!parts) {
    const magic = flash.read(PARTITION_TABLE_OFFSET, 2).readUInt16LE(0);
    lines.push(`E (54) flash_parts: partition 0 invalid magic number 0x${magic.toString(16)}`, 'E (60) boot: Failed to verify partition table', 'E (65) boot: load partition table error!');
    return stop('sw-sys');
  }
  const part = bootAppPartition(parts);
  const at = part ? `0x${part.offset.toString(16)}` : '';
  const app = part ? readImage(flash, part.offset, part.size) : null;
  const why = !part ? '' : appProblem(app!.image, app!.why, at, part.size);
  if (!part || why) {
    if (why) lines.push(why);
    lines.push(`E (77) boot: Factory app partition is not bootable`, 'E (82) boot: No bootable app partitions in the partition table');
    return stop('sw-sys');
  }
  const desc = app!.image!.appDesc;
  lines.push(`I (133) boot: Loaded app from partition at offset ${at}`, 'I (133) boot: Disabling RNG early entropy source...', ...APP_START);
  const shown = desc ?? { projectName: '', version: '', time: '', date: '', idfVersion: '' };
  lines.push(
    'I (157) app_init: Application information:',
    `I (160) app_init: Project name:     ${shown.projectName}`,
    `I (165) app_init: App version:      ${shown.version}`,
    `I (170) app_init: Compile time:     ${shown.date} ${shown.time}`,
    `I (176) app_init: ESP-IDF:          ${shown.idfVersion}`,
    'I (282) main_task: Started on CPU0',
    'I (292) main_task: Calling app_main()',
  );
  return { ok: true, lines, app: shown };
}

function appProblem(image: EspImage | null, why: string, at: string, partitionSize: number): string {
  if (!image) return why === 'magic' ? `E (71) esp_image: image at ${at} has invalid magic byte (nothing flashed)` : `E (71) esp_image: image at ${at} is invalid: ${why}`;
  if (image.chipId !== ESP32S3_CHIP_ID) return `E (71) boot_comm: mismatch chip ID, expected ${ESP32S3_CHIP_ID}, found ${image.chipId}`;
  if (image.length > partitionSize) return `E (71) esp_image: Image length ${image.length} doesn't fit in partition length ${partitionSize}`;
  if (!checksumOk(image)) return `E (71) esp_image: Checksum failed. Calculated 0x${image.checksum.computed.toString(16)} read 0x${image.checksum.stored.toString(16)}`;
  if (!sha256Ok(image)) return 'E (71) esp_image: Image hash failed - image is corrupt';
  return '';
}

const BOOTLOADER_START = [
  'I (27) boot: ESP-IDF v5.2.1 2nd stage bootloader',
  'I (27) boot: compile time Jan  2 2025 10:00:00',
  'I (27) boot: Multicore bootloader',
  'I (30) boot: chip revision: v0.2',
  'I (34) boot.esp32s3: Boot SPI Speed : 80MHz',
  'I (39) boot.esp32s3: SPI Mode       : DIO',
  'I (44) boot.esp32s3: SPI Flash Size : 8MB',
  'I (48) boot: Enabling RNG early entropy source...',
];

const APP_START = ['I (145) cpu_start: Multicore app', 'I (154) cpu_start: Pro cpu start user code', 'I (154) cpu_start: cpu freq: 160000000 Hz'];
