// A command a virtual chip's loader refuses, with the status codes the ROM and the flasher stub give for it.

export type FaultKind = 'invalid' | 'checksum' | 'length' | 'blocksize' | 'sequence' | 'not_in_flash_mode' | 'inflate' | 'too_much' | 'range' | 'unknown';

/** ROM error codes (after status 1): 0x05 invalid message, 0x06 failed to act, 0x07 bad CRC, 0x0b deflate error. */
const ROM_CODES: Record<FaultKind, number> = {
  invalid: 0x05,
  checksum: 0x07,
  length: 0x05,
  blocksize: 0x06,
  sequence: 0x06,
  not_in_flash_mode: 0x06,
  inflate: 0x0b,
  too_much: 0x06,
  range: 0x06,
  unknown: 0x05,
};

/** The flasher stub's: 0xC0 bad length, 0xC1 bad checksum, 0xC2 bad block size, 0xC6 not in flash mode, 0xC7 inflate… */
const STUB_CODES: Record<FaultKind, number> = {
  invalid: 0xc3,
  checksum: 0xc1,
  length: 0xc0,
  blocksize: 0xc2,
  sequence: 0xc0,
  not_in_flash_mode: 0xc6,
  inflate: 0xc7,
  too_much: 0xc9,
  range: 0xc4,
  unknown: 0xff,
};

export class LoaderFault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
    this.name = 'LoaderFault';
  }

  code(stub: boolean): number {
    return (stub ? STUB_CODES : ROM_CODES)[this.kind];
  }
}
