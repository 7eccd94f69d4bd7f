// Parses an ESP32-family firmware image: header, extended header, segments, checksum, appended SHA-256, app descriptor.
import { createHash } from 'node:crypto';

export const ESP_IMAGE_MAGIC = 0xe9;
export const CHECKSUM_MAGIC = 0xef;
export const APP_DESC_MAGIC = 0xabcd5432;
export const MAX_SEGMENTS = 16;
/** 8-byte common header + 16-byte extended header. */
export const IMAGE_HEADER_LEN = 24;
const SEGMENT_HEADER_LEN = 8;
const SHA256_LEN = 32;

export interface EspSegment {
  addr: number;
  length: number;
  /** Where the segment's data starts in the file. */
  dataOffset: number;
}

/** esp_app_desc_t, the first bytes of an app's first segment. */
export interface AppDesc {
  version: string;
  projectName: string;
  time: string;
  date: string;
  idfVersion: string;
}

export interface EspImage {
  flashMode: number;
  flashSizeFreq: number;
  entry: number;
  chipId: number;
  minRevFull: number;
  maxRevFull: number;
  hashAppended: boolean;
  segments: EspSegment[];
  checksum: { stored: number; computed: number };
  /** Present when the extended header says a digest is appended. */
  sha256: { stored: Buffer; computed: Buffer } | null;
  /** Bytes the image occupies, checksum and digest included. */
  length: number;
  appDesc: AppDesc | null;
}

export type ImageProblem =
  | { code: 'short'; message: string }
  | { code: 'magic'; message: string }
  | { code: 'segments'; message: string }
  | { code: 'header'; message: string }
  | { code: 'truncated'; message: string };

export type ParseResult = { ok: true; image: EspImage } | { ok: false; problem: ImageProblem };

const hex = (n: number) => `0x${n.toString(16)}`;

/** Parses the image that starts at `at` in `data` (a merged file holds several). Never throws. */
export function parseEspImage(data: Buffer, at = 0): ParseResult {
  const fail = (code: ImageProblem['code'], message: string): ParseResult => ({ ok: false, problem: { code, message } as ImageProblem });
  const size = data.length - at;
  if (size < IMAGE_HEADER_LEN) return fail('short', `it is ${Math.max(size, 0)} bytes, shorter than an image header (${IMAGE_HEADER_LEN})`);
  if (data[at] !== ESP_IMAGE_MAGIC) return fail('magic', `it does not start with the image magic byte 0xe9 (it starts with ${hex(data[at]!)})`);
  const count = data[at + 1]!;
  if (count > MAX_SEGMENTS) return fail('segments', `its header says ${count} segments; an image has at most ${MAX_SEGMENTS}`);
  const hashByte = data[at + 23]!;
  if (hashByte > 1) return fail('header', `its extended header's hash_appended byte is ${hex(hashByte)}, not 0 or 1`);

  const segments: EspSegment[] = [];
  let pos = at + IMAGE_HEADER_LEN;
  let computed = CHECKSUM_MAGIC;
  for (let i = 0; i < count; i++) {
    if (pos + SEGMENT_HEADER_LEN > data.length) return fail('truncated', `the file ends inside the header of segment ${i} (at ${hex(pos - at)})`);
    const addr = data.readUInt32LE(pos);
    const length = data.readUInt32LE(pos + 4);
    const dataOffset = pos + SEGMENT_HEADER_LEN;
    if (dataOffset + length > data.length) {
      return fail('truncated', `segment ${i} (${length} bytes at ${hex(dataOffset - at)}) runs ${dataOffset + length - data.length} bytes past the end of the file`);
    }
    for (let j = dataOffset; j < dataOffset + length; j++) computed ^= data[j]!;
    segments.push({ addr, length, dataOffset: dataOffset - at });
    pos = dataOffset + length;
  }
  // The checksum byte sits where the image reaches 15 mod 16, so that the image is a whole number of 16-byte lines.
  const checksumAt = pos + (15 - ((pos - at) % 16));
  if (checksumAt >= data.length) return fail('truncated', `the file ends before its checksum byte (at ${hex(checksumAt - at)})`);
  let end = checksumAt + 1;
  let sha256: EspImage['sha256'] = null;
  if (hashByte === 1) {
    if (end + SHA256_LEN > data.length) return fail('truncated', `the file ends inside its appended SHA-256 (at ${hex(end - at)})`);
    sha256 = { stored: Buffer.from(data.subarray(end, end + SHA256_LEN)), computed: createHash('sha256').update(data.subarray(at, end)).digest() };
    end += SHA256_LEN;
  }
  return {
    ok: true,
    image: {
      flashMode: data[at + 2]!,
      flashSizeFreq: data[at + 3]!,
      entry: data.readUInt32LE(at + 4),
      chipId: data.readUInt16LE(at + 12),
      minRevFull: data.readUInt16LE(at + 15),
      maxRevFull: data.readUInt16LE(at + 17),
      hashAppended: hashByte === 1,
      segments,
      checksum: { stored: data[checksumAt]!, computed },
      sha256,
      length: end - at,
      appDesc: readAppDesc(data, at, segments[0]),
    },
  };
}

export function checksumOk(image: EspImage): boolean {
  return image.checksum.stored === image.checksum.computed;
}

export function sha256Ok(image: EspImage): boolean {
  return image.sha256 === null || image.sha256.stored.equals(image.sha256.computed);
}

const APP_DESC_LEN = 256;

function cString(data: Buffer, from: number, length: number): string {
  const field = data.subarray(from, from + length);
  const nul = field.indexOf(0);
  return field.toString('utf8', 0, nul < 0 ? length : nul);
}

function readAppDesc(data: Buffer, at: number, first: EspSegment | undefined): AppDesc | null {
  if (!first || first.length < APP_DESC_LEN) return null;
  const d = at + first.dataOffset;
  if (data.readUInt32LE(d) !== APP_DESC_MAGIC) return null;
  return {
    version: cString(data, d + 16, 32),
    projectName: cString(data, d + 48, 32),
    time: cString(data, d + 80, 16),
    date: cString(data, d + 96, 16),
    idfVersion: cString(data, d + 112, 32),
  };
}
