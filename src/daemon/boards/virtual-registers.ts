// The registers a flasher reads from an ESP32-S3 in download mode: chip magic, eFuse (revision, MAC), SPI flash id.
import { CHIP_DETECT_MAGIC_REG, ESP32S3_MAGIC } from '../flash/chips.js';

const EFUSE_BLOCK1 = 0x60007044;
const SPI_BASE = 0x60002000;
const SPI_CMD = SPI_BASE + 0x00;
const SPI_USR2 = SPI_BASE + 0x20;
const SPI_W0 = SPI_BASE + 0x58;
const SPI_CMD_USR = 1 << 18;
const SPIFLASH_RDID = 0x9f;
/** A Winbond W25Q64 (manufacturer 0xEF, device 0x4017: 8 MB), as the SPI peripheral reads it into W0. */
export const FLASH_JEDEC_ID = 0x1740ef;

/** eFuse BLOCK1 word 3 carries the minor revision in bits 18..20: revision v0.2, as the boot log says. */
const MINOR_REV_2 = 2 << 18;

export class VirtualRegisters {
  readonly #values = new Map<number, number>();

  /** `index` makes each board's MAC different (7c:df:a1:00:HH:LL). */
  constructor(index: number) {
    this.#values.set(CHIP_DETECT_MAGIC_REG, ESP32S3_MAGIC);
    this.#values.set(EFUSE_BLOCK1, (0xa1 << 24) | (index & 0xffff)); // MAC bytes 2..5
    this.#values.set(EFUSE_BLOCK1 + 4, 0x7cdf); // MAC bytes 0..1
    this.#values.set(EFUSE_BLOCK1 + 12, MINOR_REV_2);
  }

  read(addr: number): number {
    return this.#values.get(addr >>> 0) ?? 0;
  }

  /** esptool's write_reg: new = (old & ~mask) | (value & mask); a user command on the SPI peripheral runs at once. */
  write(addr: number, value: number, mask = 0xffffffff): void {
    const a = addr >>> 0;
    const next = ((this.read(a) & ~mask) | (value & mask)) >>> 0;
    if (a === SPI_CMD && next & SPI_CMD_USR) {
      this.#spiCommand(this.read(SPI_USR2) & 0xff);
      this.#values.set(a, next & ~SPI_CMD_USR); // done: the bit clears
      return;
    }
    this.#values.set(a, next);
  }

  #spiCommand(command: number): void {
    this.#values.set(SPI_W0, command === SPIFLASH_RDID ? FLASH_JEDEC_ID : 0);
  }
}
