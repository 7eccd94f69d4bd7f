// Test helper: checks that a PNG is whole — signature, every chunk's CRC, IHDR first, IEND last — and reads its size.
import { crc32 } from 'node:zlib';

export function checkPng(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG signature');
  let at = 8;
  const types: string[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const crc = png.readUInt32BE(at + 8 + length);
    if (crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])) !== crc) throw new Error(`bad CRC in ${type} chunk at ${at}`);
    types.push(type);
    at += 12 + length;
  }
  if (types[0] !== 'IHDR' || types.at(-1) !== 'IEND' || at !== png.length) throw new Error(`bad chunk order: ${types.join(',')}`);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
