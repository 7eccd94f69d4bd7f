// Checks a set of (offset, image) pairs before the board is touched: kinds, checksums, chip, alignment, overlap, fit.
import { ApiError } from '../../transport/protocol/errors.js';
import { chipIdForBoardType, chipName } from './chips.js';
import { checksumOk, sha256Ok } from './esp-image.js';
import { defaultOffset, identifyImage, type ImageKind } from './image-kind.js';

export const DEFAULT_FLASH_SIZE = 8 * 1024 * 1024;
export const SECTOR_SIZE = 0x1000;

export interface ImageInput {
  /** null: where its kind belongs. */
  offset: number | null;
  data: Buffer;
  name: string;
}

export interface PlannedImage {
  offset: number;
  data: Buffer;
  name: string;
  kind: ImageKind;
  /** e.g. "app fbay-virtual 1.0.0 (ESP-IDF v5.2.1)". */
  description: string;
}

export interface FlashPlan {
  images: PlannedImage[];
  /** What --force let through, one sentence each. */
  forced: string[];
}

export interface FlashPlanOptions {
  boardType: string;
  flashSize?: number;
  force?: boolean;
}

export const hex = (n: number) => `0x${n.toString(16)}`;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}

/** Refuses an upload by its declared size, before a byte of it is read. */
export function checkDeclaredSize(bytes: number, flashSize = DEFAULT_FLASH_SIZE): void {
  if (bytes > flashSize) {
    throw new ApiError(
      'payload_too_large',
      `That image is ${formatBytes(bytes)}, larger than the board's ${formatBytes(flashSize)} flash, so it was refused before it was read. Check that it is the right file (an app .bin from idf.py build, or a merged image).`,
      { flash_size: flashSize },
    );
  }
}

const invalid = (message: string) => new ApiError('invalid_request', message);

export function checkFlashPlan(inputs: readonly ImageInput[], options: FlashPlanOptions): FlashPlan {
  const flashSize = options.flashSize ?? DEFAULT_FLASH_SIZE;
  if (inputs.length === 0) throw invalid('Give at least one image to flash: `fbay flash [OFFSET] FILE [OFFSET FILE]...`.');
  const forced: string[] = [];
  // Problems --force may let through; the board may then not boot, which the user asked for.
  const soft = (message: string) => {
    if (!options.force) throw invalid(`${message} Pass --force to flash it anyway.`);
    forced.push(message);
  };
  const images = inputs.map((input) => planOne(input, flashSize, options.boardType, soft));
  checkOverlap(images);
  return { images, forced };
}

function planOne(input: ImageInput, flashSize: number, boardType: string, soft: (m: string) => void): PlannedImage {
  const { data, name } = input;
  const q = `'${name}'`;
  if (data.length === 0) throw invalid(`${q} is empty (0 bytes): nothing to flash. Check the path, or build it again.`);
  checkDeclaredSize(data.length, flashSize);
  const known = identifyImage(data);
  if (known.kind === 'elf') {
    throw invalid(
      `${q} is an ELF file, not a flashable image. Flash the .bin that \`idf.py build\` writes next to it under build/, or convert it with \`esptool.py --chip esp32s3 elf2image ${name}\`.`,
    );
  }
  if (known.problem) throw invalid(`${q} is not a valid ESP image: ${known.problem.message}. Build or copy it again.`);
  const offset = input.offset ?? defaultOffset(known.kind);
  if (offset === null) {
    throw invalid(`${q} is not an app, bootloader, merged image or partition table, so fbay cannot tell where it goes: give its offset, e.g. \`fbay flash 0x9000 ${name}\`.`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw invalid(`The offset of ${q} must be a whole number of bytes ≥ 0; got ${String(offset)}.`);
  if (offset % SECTOR_SIZE !== 0) {
    const down = offset - (offset % SECTOR_SIZE);
    throw invalid(`${q} at ${hex(offset)}: offsets must be multiples of 4 KiB (0x1000), the flash's erase sector; use ${hex(down)} or ${hex(down + SECTOR_SIZE)}.`);
  }
  if (offset >= flashSize || offset + data.length > flashSize) {
    throw invalid(
      `${q} (${formatBytes(data.length)}) at ${hex(offset)} ends at ${hex(offset + data.length)}, past the end of the ${formatBytes(flashSize)} flash (${hex(flashSize)}). Use a lower offset or a smaller image.`,
    );
  }
  const wanted = chipIdForBoardType(boardType);
  for (const { at, role, image } of known.images) {
    const where = known.images.length > 1 ? `the ${role} in ${q} (at ${hex(at)})` : q;
    if (wanted !== null && image.chipId !== wanted) {
      soft(`${capital(where)} is an image for ${article(chipName(image.chipId))}, but this board (${boardType}) is ${article(chipName(wanted))}: build it for ${chipName(wanted)} (\`idf.py set-target ${target(wanted)}\`).`);
    }
    if (!checksumOk(image)) {
      soft(`${capital(where)} fails its checksum (stored ${hex(image.checksum.stored)}, computed ${hex(image.checksum.computed)}): the file is damaged and the board would refuse to boot it; build or copy it again.`);
    }
    if (!sha256Ok(image)) soft(`${capital(where)} fails its appended SHA-256: the file is damaged and the board would refuse to boot it; build or copy it again.`);
  }
  if ((known.kind === 'bootloader' || known.kind === 'merged') && offset !== 0 && wanted !== null) {
    soft(`${q} is a ${known.kind === 'merged' ? 'merged image' : 'bootloader'} at ${hex(offset)}, but ${chipName(wanted)} boots its bootloader from 0x0 (0x1000 is ESP32's and ESP32-S2's).`);
  }
  if (known.kind === 'app' && offset === 0) soft(`${q} is an app at 0x0, where the bootloader belongs; apps go to 0x10000 (or their partition's offset).`);
  return { offset, data, name, kind: known.kind, description: describe(known) };
}

function checkOverlap(images: readonly PlannedImage[]): void {
  const sorted = [...images].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    const prevEnd = prev.offset + prev.data.length;
    if (next.offset < prevEnd) {
      throw invalid(
        `'${prev.name}' (${hex(prev.offset)}–${hex(prevEnd - 1)}) and '${next.name}' (from ${hex(next.offset)}) overlap: move '${next.name}' to ${hex(Math.ceil(prevEnd / SECTOR_SIZE) * SECTOR_SIZE)} or later, or flash them one at a time.`,
      );
    }
  }
}

function describe(known: ReturnType<typeof identifyImage>): string {
  const app = known.images.find((i) => i.role === 'app')?.image.appDesc;
  const label = known.kind === 'partition-table' ? 'partition table' : known.kind === 'merged' ? 'merged image' : known.kind;
  return app ? `${label}: ${app.projectName} ${app.version} (ESP-IDF ${app.idfVersion})` : label;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const article = (name: string) => (name.startsWith('an ') ? name : /^ESP/.test(name) ? `an ${name}` : `a ${name}`);
const target = (id: number) => chipName(id).toLowerCase().replace(/-/g, '');
