// A virtual ESP32-S3's serial loader: the ROM's download mode, and the flasher stub's protocol once one is uploaded.
import { ESP32S3_CHIP_ID } from '../flash/chips.js';
import { OP, ROM_SYNC_VALUE, SYNC_PAYLOAD, dataChecksum, response, words } from '../flash/rom-protocol.js';
import { SlipDecoder, slipEncode } from '../flash/slip.js';
import { LoaderFault } from './loader-fault.js';
import { DeflatedWrite, RawWrite } from './virtual-flash-write.js';
import { FlashReader } from './virtual-read-flash.js';
import type { VirtualFlash } from './virtual-flash.js';
import type { VirtualRegisters } from './virtual-registers.js';

export interface LoaderHost {
  /** Bytes onto the chip's TX line. */
  send(bytes: Buffer): void;
  flash: VirtualFlash;
  registers: VirtualRegisters;
  /** The chip's UART moves to a new rate (after its answer is out at the old one). */
  changeBaud(rate: number): void;
  /** Leave the loader and boot from flash. */
  runUserCode(): void;
}

interface Reply {
  value?: number;
  data?: Buffer;
}

const EMPTY = Buffer.alloc(0);
const u32 = (b: Buffer, i: number) => b.readUInt32LE(i * 4);

export class VirtualLoader {
  #stub = false;
  readonly #decoder = new SlipDecoder((p) => this.#onPacket(p));
  #queue: Buffer[] = [];
  #busy = false;
  #closed = false;
  #write: RawWrite | DeflatedWrite | null = null;
  #mem: { size: number; received: number } | null = null;
  /** While the stub streams READ_FLASH, incoming packets are the host's acknowledgements. */
  #reading: FlashReader | null = null;

  constructor(private readonly host: LoaderHost) {}

  get isStub(): boolean {
    return this.#stub;
  }

  input(data: Buffer): void {
    if (!this.#closed) this.#decoder.push(data);
  }

  /** The chip was reset: nothing more is answered. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#write?.close();
    this.#write = null;
  }

  #onPacket(packet: Buffer): void {
    if (this.#reading && !this.#reading.done && packet.length === 4) return this.#reading.ack(packet.readUInt32LE(0));
    this.#reading = null;
    this.#queue.push(packet);
    if (!this.#busy) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    while (this.#queue.length > 0 && !this.#closed) await this.#handle(this.#queue.shift()!);
    this.#busy = false;
  }

  async #handle(packet: Buffer): Promise<void> {
    if (packet.length < 8 || packet[0] !== 0x00) return; // not a request: the ROM ignores it
    const op = packet[1]!;
    const data = packet.subarray(8);
    try {
      if (packet.readUInt16LE(2) !== data.length) throw new LoaderFault('length', 'the length field does not match the packet');
      const reply = await this.#run(op, data, packet.readUInt32LE(4));
      if (reply) this.#reply(op, reply.value ?? 0, reply.data ?? EMPTY, 0, 0);
    } catch (err) {
      if (!(err instanceof LoaderFault)) throw err;
      this.#reply(op, 0, EMPTY, 1, err.code(this.#stub));
    }
  }

  /** ROM answers end in four status bytes (status, error, 0, 0); the stub's in two. */
  #reply(op: number, value: number, data: Buffer, status: number, error: number): void {
    if (this.#closed) return;
    const tail = this.#stub ? Buffer.from([status, error]) : Buffer.from([status, error, 0, 0]);
    this.host.send(slipEncode(response(op, value, Buffer.concat([data, tail]))));
  }

  async #run(op: number, d: Buffer, checksum: number): Promise<Reply | null> {
    const need = (bytes: number) => {
      if (d.length < bytes) throw new LoaderFault('length', `${bytes} bytes of parameters expected, got ${d.length}`);
    };
    switch (op) {
      case OP.SYNC:
        if (!d.equals(SYNC_PAYLOAD)) return null; // line noise that happens to frame: not a sync
        // The ROM answers a sync eight times (esptool reads them all); the stub once, with value 0.
        for (let i = this.#stub ? 1 : 8; i > 1; i--) this.#reply(op, ROM_SYNC_VALUE, EMPTY, 0, 0);
        return { value: this.#stub ? 0 : ROM_SYNC_VALUE };
      case OP.READ_REG:
        need(4);
        return { value: this.host.registers.read(u32(d, 0)) };
      case OP.WRITE_REG:
        need(16);
        for (let i = 0; i + 16 <= d.length; i += 16) this.host.registers.write(d.readUInt32LE(i), d.readUInt32LE(i + 4), d.readUInt32LE(i + 8));
        return {};
      case OP.GET_SECURITY_INFO:
        // flags, flash_crypt_cnt, 7 key purposes, chip id, API version: no security features on.
        return { data: Buffer.concat([words(0), Buffer.alloc(8), words(ESP32S3_CHIP_ID, 0)]) };
      case OP.SPI_ATTACH:
      case OP.SPI_SET_PARAMS:
        return {};
      case OP.CHANGE_BAUDRATE:
        need(8);
        this.#reply(op, 0, EMPTY, 0, 0);
        this.host.changeBaud(u32(d, 0));
        return null;
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN:
        return this.#begin(op === OP.FLASH_DEFL_BEGIN, d);
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        return this.#block(op === OP.FLASH_DEFL_DATA, d, checksum);
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END:
        return this.#end(op, d);
      case OP.SPI_FLASH_MD5: {
        need(8);
        const digest = this.host.flash.md5(...this.#range(u32(d, 0), u32(d, 1)));
        return { data: this.#stub ? digest : Buffer.from(digest.toString('hex'), 'latin1') };
      }
      case OP.READ_FLASH_SLOW: {
        need(8);
        if (u32(d, 1) > 64) throw new LoaderFault('length', 'READ_FLASH_SLOW reads at most 64 bytes');
        const out = Buffer.alloc(64, 0xff);
        this.host.flash.read(...this.#range(u32(d, 0), u32(d, 1))).copy(out);
        return { data: out };
      }
      case OP.MEM_BEGIN:
        need(16);
        this.#mem = { size: u32(d, 0), received: 0 };
        return {};
      case OP.MEM_DATA:
        return this.#memBlock(d, checksum);
      case OP.MEM_END:
        return this.#memEnd(d);
    }
    if (this.#stub) return this.#stubOnly(op, d);
    throw new LoaderFault('unknown', `opcode 0x${op.toString(16)} is not a ROM loader command`);
  }

  #range(offset: number, length: number): [number, number] {
    if (offset + length > this.host.flash.size) throw new LoaderFault('range', 'the range runs past the end of flash');
    return [offset, length];
  }

  #begin(compressed: boolean, d: Buffer): Reply {
    if (d.length < 16) throw new LoaderFault('length', 'FLASH_BEGIN takes four words');
    const [size, , blockSize, offset] = [u32(d, 0), u32(d, 1), u32(d, 2), u32(d, 3)];
    if (blockSize === 0 || blockSize > 0x4000) throw new LoaderFault('blocksize', `block size ${blockSize} is not supported`);
    this.host.flash.erase(...this.#range(offset, size)); // the ROM erases up front; the stub as it goes (same result)
    this.#write?.close();
    const session = { offset, blockSize, limit: size };
    this.#write = compressed ? new DeflatedWrite(this.host.flash, session) : new RawWrite(this.host.flash, session);
    return {};
  }

  async #block(compressed: boolean, d: Buffer, checksum: number): Promise<Reply> {
    if (d.length < 16) throw new LoaderFault('length', 'a data block starts with four words');
    const block = d.subarray(16);
    if (u32(d, 0) !== block.length) throw new LoaderFault('length', 'the block length field does not match the block');
    if (dataChecksum(block) !== checksum) throw new LoaderFault('checksum', 'the block checksum is wrong');
    if (!this.#write || this.#write.compressed !== compressed) throw new LoaderFault('not_in_flash_mode', 'no matching FLASH_BEGIN');
    await this.#write.block(u32(d, 1), block);
    return {};
  }

  #end(op: number, d: Buffer): null {
    const stay = d.length >= 4 && u32(d, 0) === 1;
    this.#write?.close();
    this.#write = null;
    this.#reply(op, 0, EMPTY, 0, 0);
    // ROM: 1 runs the app, 0 reboots (into the app too, with IO0 high). Stub: 1 stays in the stub, 0 reboots.
    if (!(this.#stub && stay)) this.host.runUserCode();
    return null;
  }

  #memBlock(d: Buffer, checksum: number): Reply {
    if (!this.#mem) throw new LoaderFault('not_in_flash_mode', 'no MEM_BEGIN');
    const block = d.subarray(16);
    if (d.length < 16 || u32(d, 0) !== block.length) throw new LoaderFault('length', 'the block length field does not match the block');
    if (dataChecksum(block) !== checksum) throw new LoaderFault('checksum', 'the block checksum is wrong');
    if (this.#mem.received + block.length > this.#mem.size) throw new LoaderFault('too_much', 'more data than MEM_BEGIN announced');
    this.#mem.received += block.length;
    return {};
  }

  /** Running uploaded code: it is taken to be a flasher stub, which greets with "OHAI" and speaks the stub protocol. */
  #memEnd(d: Buffer): null {
    const run = d.length >= 8 && u32(d, 0) === 0;
    this.#reply(OP.MEM_END, 0, EMPTY, 0, 0);
    if (run && this.#mem && this.#mem.received > 0) {
      this.#stub = true;
      this.host.send(slipEncode(Buffer.from('OHAI', 'latin1')));
    }
    this.#mem = null;
    return null;
  }

  #stubOnly(op: number, d: Buffer): Reply | null {
    switch (op) {
      case OP.ERASE_FLASH:
        this.host.flash.erase(0, this.host.flash.size);
        return {};
      case OP.ERASE_REGION:
        if (d.length < 8 || u32(d, 0) % 0x1000 !== 0 || u32(d, 1) % 0x1000 !== 0) throw new LoaderFault('length', 'ERASE_REGION takes a 4 KiB-aligned offset and size');
        this.host.flash.erase(...this.#range(u32(d, 0), u32(d, 1)));
        return {};
      case OP.READ_FLASH: {
        if (d.length < 16) throw new LoaderFault('length', 'READ_FLASH takes four words');
        const [offset, length] = this.#range(u32(d, 0), u32(d, 1));
        this.#reply(op, 0, EMPTY, 0, 0);
        this.#reading = new FlashReader(this.host.flash, (b) => this.host.send(b), offset, length, Math.max(1, u32(d, 2)), Math.max(1, u32(d, 3)));
        this.#reading.pump();
        return null;
      }
      case OP.RUN_USER_CODE:
        this.host.runUserCode();
        return null;
    }
    throw new LoaderFault('unknown', `opcode 0x${op.toString(16)} is not a stub command`);
  }
}
