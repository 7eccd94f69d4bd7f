// Recognises what a file to flash is: an app, a 2nd stage bootloader, a merged image, a partition table, an ELF, or data.
import { parseEspImage, ESP_IMAGE_MAGIC, type EspImage, type ImageProblem } from './esp-image.js';
import { PARTITION_TABLE_OFFSET, bootAppPartition, isPartitionTable, parsePartitionTable } from './partition-table.js';
import { APP_OFFSET } from './image-builder.js';

export type ImageKind = 'app' | 'bootloader' | 'merged' | 'partition-table' | 'elf' | 'data';

export interface KnownImage {
  kind: ImageKind;
  /** The ESP images the file holds, with where each starts in the file (one, or a merged file's bootloader and app). */
  images: Array<{ at: number; role: 'app' | 'bootloader'; image: EspImage }>;
  /** A file that starts with the image magic but cannot be parsed. */
  problem: ImageProblem | null;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * Flash-mapped (cache) address ranges: segments there belong to an app, never to a bootloader. The ESP32's IROM
 * range covers the later chips' internal IRAM, so the ranges go by chip.
 */
const ESP32_FLASH_MAPPED: ReadonlyArray<[number, number]> = [
  [0x3f400000, 0x3f800000],
  [0x400d0000, 0x40400000],
];
const LATER_FLASH_MAPPED: ReadonlyArray<[number, number]> = [
  [0x3c000000, 0x3e000000], // S2/S3/C3 DROM
  [0x42000000, 0x44000000], // S3/C3/C6/H2 IROM
];

function roleOf(image: EspImage): 'app' | 'bootloader' {
  if (image.appDesc) return 'app';
  const ranges = image.chipId === 0 ? ESP32_FLASH_MAPPED : LATER_FLASH_MAPPED;
  return image.segments.some((s) => ranges.some(([lo, hi]) => s.addr >= lo && s.addr < hi)) ? 'app' : 'bootloader';
}

export function identifyImage(data: Buffer): KnownImage {
  if (data.length >= 4 && data.subarray(0, 4).equals(ELF_MAGIC)) return { kind: 'elf', images: [], problem: null };
  if (isPartitionTable(data)) return { kind: 'partition-table', images: [], problem: null };
  if (data.length === 0 || data[0] !== ESP_IMAGE_MAGIC) return { kind: 'data', images: [], problem: null };
  const first = parseEspImage(data);
  if (!first.ok) return { kind: roleGuess(data), images: [], problem: first.problem };
  const role = roleOf(first.image);
  const merged = role === 'bootloader' && data.length > PARTITION_TABLE_OFFSET && isPartitionTable(data, PARTITION_TABLE_OFFSET);
  if (!merged) return { kind: role, images: [{ at: 0, role, image: first.image }], problem: null };
  const parts = parsePartitionTable(data, PARTITION_TABLE_OFFSET);
  const appAt = (parts && bootAppPartition(parts)?.offset) ?? APP_OFFSET;
  const images: KnownImage['images'] = [{ at: 0, role: 'bootloader', image: first.image }];
  if (data.length > appAt) {
    const app = parseEspImage(data, appAt);
    if (!app.ok) return { kind: 'merged', images, problem: { ...app.problem, message: `its app at 0x${appAt.toString(16)}: ${app.problem.message}` } };
    images.push({ at: appAt, role: 'app', image: app.image });
  }
  return { kind: 'merged', images, problem: null };
}

/** A broken image is most likely an app (what people build and copy most). */
function roleGuess(data: Buffer): ImageKind {
  return data.length > PARTITION_TABLE_OFFSET && isPartitionTable(data, PARTITION_TABLE_OFFSET) ? 'merged' : 'app';
}

/** Where an image of this kind goes when no offset is given; null when it must be given. */
export function defaultOffset(kind: ImageKind): number | null {
  switch (kind) {
    case 'app':
      return APP_OFFSET;
    case 'bootloader':
    case 'merged':
      return 0x0; // ESP32-S3 boots its 2nd stage bootloader from 0x0 (ESP32 and S2: 0x1000)
    case 'partition-table':
      return PARTITION_TABLE_OFFSET;
    default:
      return null;
  }
}
