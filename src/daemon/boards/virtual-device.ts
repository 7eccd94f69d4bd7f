// A simulated ESP32-S3 on a serial line: EN/IO0 pins, ROM boot banner, and the shell app. Pure logic, clock injected.
import { appReady, bootBanner, type BootMode, type ResetCause } from './esp32s3-rom.js';
import { FloodSource } from './flood-pattern.js';
import { OutputQueue } from './output-queue.js';
import { VirtualShell, type ShellHost } from './virtual-shell.js';
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';

export type DeviceClock = Clock;
export { systemClock };

/**
 * A dev board's EN pin has an RC delay: the chip leaves reset a few ms after EN is released, and samples IO0 then.
 * esptool's classic reset relies on it (it releases EN a moment before it pulls IO0 low).
 */
export const EN_RC_DELAY_MS = 5;

export type ChipState = 'running' | 'in-reset' | 'download';

export interface VirtualDeviceOptions {
  name: string;
  clock?: DeviceClock;
  baudRate?: number;
}

export class VirtualDevice {
  readonly name: string;
  #clock: DeviceClock;
  #state: ChipState = 'running';
  #en = true;
  #io0 = true;
  #pendingBoot: TimerHandle | null = null;
  #bootedAt: number;
  #baudRate: number;
  #queue: OutputQueue | null = null;
  #onReadable: (() => void) | null = null;
  #shell: VirtualShell | null = null;

  /** A new device is already running (it was powered on before anyone looked): it prints nothing until asked. */
  constructor(options: VirtualDeviceOptions) {
    this.name = options.name;
    this.#clock = options.clock ?? systemClock;
    this.#baudRate = options.baudRate ?? 115200;
    this.#bootedAt = this.#clock.now();
  }

  get state(): ChipState {
    return this.#state;
  }

  /** Starts keeping output for a reader; `onReadable` is called when output appears in an empty queue. */
  connect(onReadable: () => void): void {
    this.#onReadable = onReadable;
    this.#queue ??= new OutputQueue();
  }

  /** Output with no port open goes nowhere, as on a real UART. */
  disconnect(): void {
    this.#onReadable = null;
    this.#queue = null;
  }

  get hasOutput(): boolean {
    return this.#queue !== null && !this.#queue.isEmpty;
  }

  /** Output bytes held in memory, waiting for the reader. */
  get pendingBytes(): number {
    return this.#queue?.bufferedBytes ?? 0;
  }

  read(target: Buffer, offset: number, length: number): number {
    return this.#queue ? this.#queue.readInto(target, offset, length) : 0;
  }

  discardOutput(): void {
    this.#queue?.clear();
  }

  /** Bytes arriving on the chip's RX line. */
  write(data: Uint8Array): void {
    if (this.#state !== 'running') return; // held in reset, or the ROM downloader: the shell is not running
    (this.#shell ??= new VirtualShell(this.#shellHost())).input(data);
  }

  setBaud(rate: number): void {
    this.#baudRate = rate;
  }

  /** Pin levels (true = high). A rising EN boots the chip after the RC delay, in the mode IO0 selects then. */
  setPins(pins: { en: boolean; io0: boolean }): void {
    const rising = pins.en && !this.#en;
    const falling = !pins.en && this.#en;
    this.#en = pins.en;
    this.#io0 = pins.io0;
    if (falling) this.#holdInReset();
    if (rising) this.#pendingBoot = this.#clock.setTimeout(() => this.#bootFromEn(), EN_RC_DELAY_MS);
  }

  /** Power cycle: a POWERON boot straight away. */
  powerOn(): void {
    this.#holdInReset();
    this.#en = true;
    this.#boot('poweron', 'flash');
  }

  #bootFromEn(): void {
    this.#pendingBoot = null;
    if (this.#en) this.#boot('poweron', this.#io0 ? 'flash' : 'download');
  }

  #holdInReset(): void {
    if (this.#pendingBoot !== null) this.#clock.clearTimeout(this.#pendingBoot);
    this.#pendingBoot = null;
    this.#state = 'in-reset';
    this.#shell?.clear();
    this.#queue?.clear(); // whatever sat in the UART FIFO is lost
  }

  #boot(cause: ResetCause, mode: BootMode): void {
    this.#bootedAt = this.#clock.now();
    this.#state = mode === 'download' ? 'download' : 'running';
    this.#out(bootBanner(cause, mode));
    if (mode === 'flash') this.#out(appReady(this.name));
  }

  #out(data: Buffer): void {
    const queue = this.#queue;
    if (!queue) return;
    const wasEmpty = queue.isEmpty;
    queue.push(data);
    if (wasEmpty && !queue.isEmpty) this.#onReadable?.();
  }

  #flood(bytes: number): void {
    const queue = this.#queue;
    if (!queue) return;
    const wasEmpty = queue.isEmpty;
    queue.push(new FloodSource(bytes));
    if (wasEmpty && !queue.isEmpty) this.#onReadable?.();
  }

  #shellHost(): ShellHost {
    return {
      out: (data) => this.#out(typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
      flood: (bytes) => this.#flood(bytes),
      restart: () => {
        this.#shell?.clear();
        this.#boot('software', 'flash');
      },
      info: () => ({ name: this.name, baudRate: this.#baudRate, uptimeMs: this.#clock.now() - this.#bootedAt }),
    };
  }
}
