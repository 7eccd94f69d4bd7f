// The ESP serial bootloader protocol's packets: requests "<BBHI" + data, responses "<BBHI" + data + status bytes.

export const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  // stub only
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

export const OP_NAMES = new Map<number, string>(Object.entries(OP).map(([name, op]) => [op, name]));

/** The SYNC payload: 07 07 12 20 then 32 × 0x55, for the ROM's baud detection. */
export const SYNC_PAYLOAD = Buffer.concat([Buffer.from([0x07, 0x07, 0x12, 0x20]), Buffer.alloc(32, 0x55)]);
/** What the ROM puts in a SYNC answer's value field; the stub answers 0. */
export const ROM_SYNC_VALUE = 0x20120707;
export const CHECKSUM_SEED = 0xef;
/** The ROM's "invalid message" error code: an opcode it does not know. */
export const ROM_INVALID_RECV_MSG = 0x05;

/** Block sizes: the ESP32-S3 ROM writes flash 1 KiB at a time and takes RAM 6 KiB at a time; the stub 16 KiB. */
export const ROM_FLASH_BLOCK = 0x400;
export const STUB_FLASH_BLOCK = 0x4000;
export const RAM_BLOCK = 0x1800;

/** esptool's timeouts, in milliseconds. */
export const TIMEOUT = {
  default: 3000,
  sync: 100,
  chipErase: 120_000,
  md5PerMb: 8000,
  eraseRegionPerMb: 40_000,
  eraseWritePerMb: 40_000,
  memEnd: 200,
} as const;

/** esptool's timeout_per_mb: seconds per MB (1e6 bytes) of the operation, never under the default. */
export function timeoutPerMb(msPerMb: number, bytes: number): number {
  return Math.max(TIMEOUT.default, (msPerMb * bytes) / 1e6);
}

/** XOR of every payload byte into 0xEF: the checksum field of *_DATA requests. */
export function dataChecksum(data: Uint8Array): number {
  let state = CHECKSUM_SEED;
  for (const b of data) state ^= b;
  return state;
}

export function request(op: number, data: Uint8Array = Buffer.alloc(0), checksum = 0): Buffer {
  const packet = Buffer.allocUnsafe(8 + data.length);
  packet[0] = 0x00;
  packet[1] = op;
  packet.writeUInt16LE(data.length, 2);
  packet.writeUInt32LE(checksum >>> 0, 4);
  packet.set(data, 8);
  return packet;
}

/** Little-endian u32 words, as every command's parameters are. */
export function words(...values: number[]): Buffer {
  const out = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => out.writeUInt32LE(v >>> 0, i * 4));
  return out;
}

/** A *_DATA request: length, sequence number, two zero words, then the block; checksummed. */
export function dataRequest(op: number, seq: number, block: Uint8Array): Buffer {
  return request(op, Buffer.concat([words(block.length, seq, 0, 0), block]), dataChecksum(block));
}

export interface Response {
  op: number;
  value: number;
  /** Everything after the 8-byte header: response data, then the status bytes. */
  data: Buffer;
}

export function parseResponse(packet: Buffer): Response | null {
  if (packet.length < 8 || packet[0] !== 0x01) return null;
  return { op: packet[1]!, value: packet.readUInt32LE(4), data: packet.subarray(8) };
}

export function response(op: number, value: number, data: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(8 + data.length);
  packet[0] = 0x01;
  packet[1] = op;
  packet.writeUInt16LE(data.length, 2);
  packet.writeUInt32LE(value >>> 0, 4);
  packet.set(data, 8);
  return packet;
}
