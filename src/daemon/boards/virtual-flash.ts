// A virtual board's 8 MiB SPI NOR flash: erased bytes read 0xFF, writes only clear bits, kept in a file or in memory.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';

export const VIRTUAL_FLASH_SIZE = 8 * 1024 * 1024;
export const FLASH_SECTOR = 0x1000;

export interface VirtualFlashOptions {
  /** The raw flash image (like `esptool read_flash 0 0x800000`); absent: memory only. Created on the first change. */
  file?: string;
  size?: number;
  /** What a fresh flash holds (the factory image), read from until the flash is first changed. */
  initial: () => Buffer;
}

/**
 * Until its first erase or write the flash is its initial image plus erased bytes, and costs nothing: a thousand
 * virtual boards do not hold a thousand copies. In memory, changed sectors are kept; with a file, the file is the flash.
 */
export class VirtualFlash {
  readonly size: number;
  readonly #file: string | undefined;
  readonly #initial: () => Buffer;
  #fd: number | null = null;
  #grown = false;
  #version = 0;
  #sectors: Map<number, Buffer> | null = null;

  constructor(options: VirtualFlashOptions) {
    this.size = options.size ?? VIRTUAL_FLASH_SIZE;
    this.#file = options.file;
    this.#initial = options.initial;
  }

  /** Changes with every erase and write: what was read from the flash before is still true while it stays the same. */
  get version(): number {
    return this.#version;
  }

  read(offset: number, length: number): Buffer {
    this.#check(offset, length);
    const out = Buffer.alloc(length, 0xff);
    const fd = this.#openExisting();
    if (fd !== null) {
      readSync(fd, out, 0, length, offset); // bytes past a short file's end stay erased
      return out;
    }
    this.#initial().copy(out, 0, Math.min(offset, this.#initial().length), Math.min(offset + length, this.#initial().length));
    if (this.#sectors) {
      for (let s = Math.floor(offset / FLASH_SECTOR); s * FLASH_SECTOR < offset + length; s++) {
        const sector = this.#sectors.get(s);
        if (!sector) continue;
        const start = Math.max(offset, s * FLASH_SECTOR);
        const end = Math.min(offset + length, (s + 1) * FLASH_SECTOR);
        sector.copy(out, start - offset, start - s * FLASH_SECTOR, end - s * FLASH_SECTOR);
      }
    }
    return out;
  }

  /** NOR programming: a 1 can become a 0, never the other way (that takes an erase). */
  write(offset: number, data: Uint8Array): void {
    this.#check(offset, data.length);
    const merged = this.read(offset, data.length);
    for (let i = 0; i < data.length; i++) merged[i]! &= data[i]!;
    this.#store(offset, merged);
  }

  /** Erases the whole sectors that [offset, offset + length) touches. */
  erase(offset: number, length: number): void {
    if (length <= 0) return;
    const start = Math.floor(offset / FLASH_SECTOR) * FLASH_SECTOR;
    const end = Math.min(this.size, Math.ceil((offset + length) / FLASH_SECTOR) * FLASH_SECTOR);
    this.#check(start, end - start);
    const ones = Buffer.alloc(Math.min(end - start, 1 << 20), 0xff);
    for (let at = start; at < end; at += ones.length) this.#store(at, ones.subarray(0, Math.min(ones.length, end - at)));
  }

  md5(offset: number, length: number): Buffer {
    const hash = createHash('md5');
    for (let at = offset; at < offset + length; at += 1 << 20) hash.update(this.read(at, Math.min(1 << 20, offset + length - at)));
    return hash.digest();
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`flash access at 0x${offset.toString(16)} (+${length}) is outside the ${this.size}-byte flash`);
    }
  }

  #store(offset: number, data: Buffer): void {
    this.#version++;
    if (this.#file !== undefined) {
      writeSync(this.#materialize(), data, 0, data.length, offset);
      return;
    }
    const sectors = (this.#sectors ??= new Map());
    for (let s = Math.floor(offset / FLASH_SECTOR); s * FLASH_SECTOR < offset + data.length; s++) {
      let sector = sectors.get(s);
      if (!sector) {
        sector = this.read(s * FLASH_SECTOR, FLASH_SECTOR);
        sectors.set(s, sector);
      }
      const start = Math.max(offset, s * FLASH_SECTOR);
      const end = Math.min(offset + data.length, (s + 1) * FLASH_SECTOR);
      data.copy(sector, start - s * FLASH_SECTOR, start - offset, end - offset);
    }
  }

  #openExisting(): number | null {
    if (this.#fd !== null || this.#file === undefined || !existsSync(this.#file)) return this.#fd;
    this.#fd = openSync(this.#file, 'r+');
    return this.#fd;
  }

  /** The file, created from the initial image (erased past it) on the first change. */
  #materialize(): number {
    const fd = this.#openExisting();
    if (fd !== null) {
      // A short file (cut by hand, an older size) reads erased past its end; make that true on disk before writing.
      const size = this.#grown ? this.size : fstatSync(fd).size;
      this.#grown = true;
      if (size < this.size) writeSync(fd, Buffer.alloc(this.size - size, 0xff), 0, this.size - size, size);
      return fd;
    }
    mkdirSync(dirname(this.#file!), { recursive: true });
    const created = openSync(this.#file!, 'w+', 0o600);
    const initial = this.#initial();
    writeSync(created, initial, 0, initial.length, 0);
    writeSync(created, Buffer.alloc(this.size - initial.length, 0xff), 0, this.size - initial.length, initial.length);
    this.#fd = created;
    return created;
  }
}
