// POST /v1/sessions/{id}/flash (its query and the `fbay-flash-images` header) and POST …/power, one schema each.
import * as v from 'valibot';
import { oneOf, text, wholeNumber } from '../schema-kit.js';

/** More images than this in one flash is a mistake (esptool's own limit is what fits on a command line). */
export const MAX_FLASH_IMAGES = 16;
/** Offsets and sizes as JSON numbers: below 4 GiB, the ESP's flash address space. */
const ADDRESS_LIMIT = 0xffffffff;

const bool = (name: string) =>
  v.pipe(
    v.picklist(['0', '1', 'true', 'false'], `${name} must be 1 or 0 (true or false); got {got}.`),
    v.transform((s) => s === '1' || s === 'true'),
  );

/** `?verify=0` skips the MD5 check, `erase_all=1` erases the chip first, `force=1` lets through what --force may. */
export const FlashQuery = v.strictObject({
  verify: v.optional(bool('verify')),
  erase_all: v.optional(bool('erase_all')),
  force: v.optional(bool('force')),
  baud: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{3,7}$/, 'baud must be a rate such as 460800 or 921600; got {got}.'),
      v.transform(Number),
    ),
  ),
});
export type FlashQuery = v.InferOutput<typeof FlashQuery>;

export const FlashImageEntry = v.strictObject({
  name: text(255),
  size: wholeNumber(0, ADDRESS_LIMIT, ' bytes'),
  /** null: where an image of its kind belongs (an app at 0x10000 on an ESP32-S3). */
  offset: v.nullable(wholeNumber(0, ADDRESS_LIMIT)),
});

export const FlashImagesHeader = v.pipe(
  v.array(FlashImageEntry, '{field} must be a JSON list of {"name", "size", "offset"}; got {got}.'),
  v.minLength(1, 'Give at least one image: `fbay flash [OFFSET] FILE [OFFSET FILE]...`.'),
  v.maxLength(MAX_FLASH_IMAGES, `At most ${MAX_FLASH_IMAGES} images can be flashed at once.`),
);
export type FlashImagesHeader = v.InferOutput<typeof FlashImagesHeader>;

export const PowerBody = v.strictObject({ action: oneOf(['on', 'off', 'cycle']) });
export type PowerBody = v.InferOutput<typeof PowerBody>;
