// Writing one image through the ROM loader: compressed (FLASH_DEFL_*) unless that does not help, 1 KiB blocks, retries.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { CommandFailed, CommandTimeout, FlashError } from './flash-errors.js';
import type { LoaderLink } from './loader-link.js';
import { OP, ROM_FLASH_BLOCK, TIMEOUT, dataRequest, timeoutPerMb, words } from './rom-protocol.js';
import { StreamInflater } from './stream-inflate.js';

/** esptool tries a block three times before it gives up. */
const BLOCK_ATTEMPTS = 3;

export interface RegionImage {
  offset: number;
  data: Buffer;
  name: string;
}

/** esptool pads an image to a multiple of 4 bytes with 0xFF before writing and hashing it. */
export function padded(data: Buffer): Buffer {
  return data.length % 4 === 0 ? data : Buffer.concat([data, Buffer.alloc(4 - (data.length % 4), 0xff)]);
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * Writes `data` from byte `from` (a sector boundary) on; `erased()` once the ROM has erased the region (it does on
 * begin), `confirmed(n)` as it acknowledges blocks, with how many bytes of the image are in flash. Returns the
 * compressed size (null: sent uncompressed).
 */
export async function writeRegion(link: LoaderLink, image: RegionImage, from: number, confirmed: (bytes: number) => void, erased: () => void = () => undefined): Promise<number | null> {
  const data = padded(image.data);
  const rest = data.subarray(from);
  const offset = image.offset + from;
  if (rest.length === 0) return null;
  const compressed = deflateSync(rest, { level: 9 });
  const useCompression = compressed.length < rest.length;
  const payload = useCompression ? compressed : rest;
  const blocks = Math.ceil(payload.length / ROM_FLASH_BLOCK);
  // The ROM erases on begin: a compressed begin names the erase size, whole blocks of the uncompressed data.
  const eraseSize = useCompression ? Math.ceil(rest.length / ROM_FLASH_BLOCK) * ROM_FLASH_BLOCK : rest.length;
  const begin = useCompression ? OP.FLASH_DEFL_BEGIN : OP.FLASH_BEGIN;
  await link.command(begin, words(eraseSize, blocks, ROM_FLASH_BLOCK, offset, 0), { timeoutMs: timeoutPerMb(TIMEOUT.eraseRegionPerMb, eraseSize) });
  erased();

  const inflater = useCompression ? new StreamInflater() : null;
  const blockAt = (seq: number) => payload.subarray(seq * ROM_FLASH_BLOCK, (seq + 1) * ROM_FLASH_BLOCK);
  // Each block's inflated size (for progress and the timeout) is worked out while the previous one is in flight.
  let nextSize = inflater ? inflater.push(blockAt(0)).then((b) => b.length) : null;
  let done = 0;
  try {
    for (let seq = 0; seq < blocks; seq++) {
      const block = blockAt(seq);
      const size = nextSize ? await nextSize : block.length;
      nextSize = inflater && seq + 1 < blocks ? inflater.push(blockAt(seq + 1)).then((b) => b.length) : null;
      // Uncompressed writes send whole blocks: the last is padded with 0xFF, as esptool does.
      const sent = inflater || block.length === ROM_FLASH_BLOCK ? block : Buffer.concat([block, Buffer.alloc(ROM_FLASH_BLOCK - block.length, 0xff)]);
      await sendBlock(link, inflater ? OP.FLASH_DEFL_DATA : OP.FLASH_DATA, seq, sent, timeoutPerMb(TIMEOUT.eraseWritePerMb, size));
      done += size;
      confirmed(from + Math.min(done, rest.length));
    }
  } finally {
    inflater?.close();
  }
  return useCompression ? compressed.length : null;
}

async function sendBlock(link: LoaderLink, op: number, seq: number, block: Buffer, timeoutMs: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await link.send(dataRequest(op, seq, block));
      const r = await link.response(op, timeoutMs);
      if (r.data.length >= 2 && r.data[0] === 0) return;
      throw new CommandFailed(op, r.data[0] ?? 1, r.data[1] ?? 0, `block ${seq}`);
    } catch (err) {
      if (!(err instanceof CommandFailed || err instanceof CommandTimeout) || attempt >= BLOCK_ATTEMPTS) throw err;
      link.flushInput();
    }
  }
}

/** SPI_FLASH_MD5 of what the image should occupy: the ROM answers with 32 hex characters. */
export async function verifyRegion(link: LoaderLink, image: RegionImage): Promise<string> {
  const data = padded(image.data);
  const r = await link.command(OP.SPI_FLASH_MD5, words(image.offset, data.length, 0, 0), { dataLen: 32, timeoutMs: timeoutPerMb(TIMEOUT.md5PerMb, data.length) });
  const inFlash = r.data.toString('latin1').toLowerCase();
  const expected = md5Hex(data);
  if (inFlash !== expected) {
    throw new FlashError(
      'md5_mismatch',
      `'${image.name}' at 0x${image.offset.toString(16)} does not match the flash after writing (flash MD5 ${inFlash}, file MD5 ${expected}). Flash it again; if it keeps failing, the board's flash or its power is faulty.`,
      { image: image.name, offset: image.offset },
    );
  }
  return expected;
}
