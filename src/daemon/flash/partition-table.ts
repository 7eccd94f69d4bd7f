// ESP-IDF's binary partition table (at 0x8000): 32-byte entries with magic 0xAA50, then an MD5 entry (0xEBEB).
import { createHash } from 'node:crypto';

export const PARTITION_TABLE_OFFSET = 0x8000;
export const PARTITION_TABLE_LEN = 0xc00;
const ENTRY_LEN = 32;
const ENTRY_MAGIC = 0x50aa; // bytes AA 50, little-endian
const MD5_MAGIC = 0xebeb;

export const APP_TYPE = 0x00;
export const DATA_TYPE = 0x01;

export interface Partition {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
  flags: number;
}

export function isPartitionTable(data: Buffer, at = 0): boolean {
  return data.length >= at + ENTRY_LEN && data.readUInt16LE(at) === ENTRY_MAGIC;
}

/** The entries up to the MD5 entry or the first erased one; null when there is no table at `at`, or its MD5 is wrong. */
export function parsePartitionTable(data: Buffer, at = 0): Partition[] | null {
  if (!isPartitionTable(data, at)) return null;
  const parts: Partition[] = [];
  for (let pos = at; pos + ENTRY_LEN <= Math.min(data.length, at + PARTITION_TABLE_LEN); pos += ENTRY_LEN) {
    const magic = data.readUInt16LE(pos);
    if (magic === MD5_MAGIC) {
      const digest = createHash('md5').update(data.subarray(at, pos)).digest();
      return digest.equals(data.subarray(pos + 16, pos + 32)) ? parts : null;
    }
    if (magic !== ENTRY_MAGIC) return parts;
    const label = data.subarray(pos + 12, pos + 28);
    const nul = label.indexOf(0);
    parts.push({
      type: data[pos + 2]!,
      subtype: data[pos + 3]!,
      offset: data.readUInt32LE(pos + 4),
      size: data.readUInt32LE(pos + 8),
      label: label.toString('latin1', 0, nul < 0 ? 16 : nul),
      flags: data.readUInt32LE(pos + 28),
    });
  }
  return parts;
}

/** The app the 2nd stage bootloader boots with no OTA data: factory, else the first OTA slot. */
export function bootAppPartition(parts: readonly Partition[]): Partition | null {
  const apps = parts.filter((p) => p.type === APP_TYPE);
  return apps.find((p) => p.subtype === 0x00) ?? apps.find((p) => p.subtype === 0x10) ?? null;
}

/** A table as `gen_esp32part.py` writes it: entries, the MD5 entry, then 0xFF to 0xC00 bytes. */
export function buildPartitionTable(parts: readonly Partition[]): Buffer {
  const out = Buffer.alloc(PARTITION_TABLE_LEN, 0xff);
  parts.forEach((p, i) => {
    const pos = i * ENTRY_LEN;
    out.writeUInt16LE(ENTRY_MAGIC, pos);
    out[pos + 2] = p.type;
    out[pos + 3] = p.subtype;
    out.writeUInt32LE(p.offset, pos + 4);
    out.writeUInt32LE(p.size, pos + 8);
    out.fill(0, pos + 12, pos + 28);
    out.write(p.label.slice(0, 16), pos + 12, 'latin1');
    out.writeUInt32LE(p.flags, pos + 28);
  });
  const md5At = parts.length * ENTRY_LEN;
  out.writeUInt16LE(MD5_MAGIC, md5At);
  createHash('md5').update(out.subarray(0, md5At)).digest().copy(out, md5At + 16);
  return out;
}

/** ESP-IDF's "single factory app" layout (nvs, phy_init, factory), with the factory app taking the rest of the flash. */
export function defaultPartitions(flashSize: number): Partition[] {
  return [
    { label: 'nvs', type: DATA_TYPE, subtype: 0x02, offset: 0x9000, size: 0x6000, flags: 0 },
    { label: 'phy_init', type: DATA_TYPE, subtype: 0x01, offset: 0xf000, size: 0x1000, flags: 0 },
    { label: 'factory', type: APP_TYPE, subtype: 0x00, offset: 0x10000, size: flashSize - 0x10000, flags: 0 },
  ];
}
