// One open virtual serial port: the serialport BindingPortInterface contract on top of a VirtualDevice.
import type { BindingPortInterface, OpenOptions, PortStatus, SetOptions, UpdateOptions } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { isStandardBaudRate, unsupportedBaudMessage } from './baud-rates.js';
import type { VirtualDevice } from './virtual-device.js';
import { PacedLine } from './virtual-line.js';

/** The error serialport expects from reads and writes cut short by close(): it is not a disconnection. */
export class CanceledError extends Error {
  readonly canceled = true;
}

/** Writes wait while this much echo/output sits unread, so a client pasting megabytes cannot grow memory. */
const WRITE_HIGH_WATER = 64 * 1024;

interface PendingRead {
  buffer: Buffer;
  offset: number;
  length: number;
  resolve: (r: { buffer: Buffer; bytesRead: number }) => void;
  reject: (e: Error) => void;
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));
/**
 * Reads wait for the event loop's next turn, as a real port's reads wait for the OS: without it a flood would be
 * read in one long run of promise callbacks, and the daemon would serve nothing else (no socket I/O) until it ended.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualPortBinding implements BindingPortInterface {
  isOpen = true;
  #read: PendingRead | null = null;
  #readScheduled = false;
  #writeWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  #writing: Promise<void> | null = null;
  #unplugged: Error | null = null;
  /** Set when the line runs at its baud rate rather than as fast as the host reads. */
  readonly #line: PacedLine | null;

  constructor(
    readonly openOptions: Required<OpenOptions>,
    private readonly device: VirtualDevice,
    private readonly onClose: () => void,
    pace = false,
  ) {
    this.#line = pace ? new PacedLine(() => device.baudRate) : null;
    device.setBaud(openOptions.baudRate);
    device.connect(() => {
      this.#line?.outputAppeared();
      this.#scheduleRead();
    });
  }

  /** The board went away (the virtual board count shrank): a disconnection, not a cancel. */
  unplug(): void {
    this.#unplugged = new Error(`${this.openOptions.path} was unplugged`);
    this.#line?.close();
    this.device.disconnect();
    this.#read?.reject(this.#unplugged);
    this.#read = null;
    this.#writeWaiter?.reject(this.#unplugged);
    this.#writeWaiter = null;
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.isOpen = false;
    this.#line?.close();
    const canceled = new CanceledError('port is closed');
    this.#read?.reject(canceled);
    this.#read = null;
    this.#writeWaiter?.reject(canceled);
    this.#writeWaiter = null;
    if (!this.#unplugged) {
      this.device.disconnect();
      // HUPCL drops DTR and RTS on close: both transistors off, EN and IO0 float high.
      if (this.openOptions.hupcl) this.device.setPins({ en: true, io0: true });
    }
    this.onClose();
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    this.#assertOpen();
    if (this.#read) throw new Error('a read is already in progress');
    await nextTurn();
    if (!this.isOpen) throw new CanceledError('read canceled');
    if (this.#unplugged) throw this.#unplugged;
    const bytesRead = this.#take(buffer, offset, length);
    if (bytesRead > 0) return { buffer, bytesRead };
    return new Promise((resolve, reject) => {
      this.#read = { buffer, offset, length, resolve, reject };
    });
  }

  async write(buffer: Buffer): Promise<void> {
    this.#assertOpen();
    if (this.#writing) throw new Error('Overlapping writes are not supported and should be queued by the serialport object');
    this.#writing = this.#doWrite(buffer).finally(() => {
      this.#writing = null;
    });
    return this.#writing;
  }

  async #doWrite(buffer: Buffer): Promise<void> {
    await nextTick();
    if (!this.isOpen) throw new CanceledError('write canceled');
    if (this.#unplugged) throw this.#unplugged;
    if (this.#line) await this.#line.send(buffer, (bytes) => this.device.write(bytes));
    else this.device.write(buffer);
    if (this.device.pendingBytes > WRITE_HIGH_WATER) {
      await new Promise<void>((resolve, reject) => {
        this.#writeWaiter = { resolve, reject };
      });
    }
  }

  async update(options: UpdateOptions): Promise<void> {
    this.#assertOpen();
    if (!isStandardBaudRate(options?.baudRate)) throw new Error(unsupportedBaudMessage(options?.baudRate, this.openOptions.path));
    await nextTick();
    this.openOptions.baudRate = options.baudRate;
    this.device.setBaud(options.baudRate);
  }

  /** DTR/RTS drive EN/IO0 through the esptool auto-reset transistor pair. Lines are active-high here (true = asserted). */
  async set(options: SetOptions): Promise<void> {
    this.#assertOpen();
    const dtr = options.dtr ?? false;
    const rts = options.rts ?? false;
    this.device.setPins({ en: !(rts && !dtr), io0: !(dtr && !rts) });
    await nextTick();
  }

  async get(): Promise<PortStatus> {
    this.#assertOpen();
    await nextTick();
    return { cts: false, dsr: false, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    this.#assertOpen();
    await nextTick();
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    this.#assertOpen();
    await nextTick();
    this.device.discardOutput();
    this.#releaseWriter();
  }

  async drain(): Promise<void> {
    this.#assertOpen();
    await this.#writing;
    await nextTick();
  }

  #assertOpen(): void {
    if (!this.isOpen) throw new Error('Port is not open');
  }

  #take(buffer: Buffer, offset: number, length: number): number {
    let max = length;
    if (this.#line && this.device.hasOutput) {
      const want = Math.min(length, this.device.pendingBytes || length);
      max = this.#line.transmitted(want);
      if (max === 0) {
        this.#line.wake(want, () => this.#scheduleRead());
        return 0;
      }
    }
    const n = this.device.read(buffer, offset, max);
    if (n > 0) {
      this.#line?.took(n);
      this.#releaseWriter();
    }
    return n;
  }

  #releaseWriter(): void {
    if (this.#writeWaiter && this.device.pendingBytes <= WRITE_HIGH_WATER) {
      this.#writeWaiter.resolve();
      this.#writeWaiter = null;
    }
  }

  // Deferred so that everything a command prints in one go reaches the reader as one chunk.
  #scheduleRead(): void {
    if (this.#readScheduled) return;
    this.#readScheduled = true;
    process.nextTick(() => {
      this.#readScheduled = false;
      const pending = this.#read;
      if (!pending || !this.isOpen) return;
      const bytesRead = this.#take(pending.buffer, pending.offset, pending.length);
      if (bytesRead === 0) return;
      this.#read = null;
      pending.resolve({ buffer: pending.buffer, bytesRead });
    });
  }
}
