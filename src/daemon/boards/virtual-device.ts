// A simulated ESP32-S3 on a serial line: EN/IO0 pins, power, ROM boot from flash, the download-mode loader, the shell app.
import { appReady, crlf, romBanner, type BootMode, type ResetCause } from './esp32s3-rom.js';
import { FloodSource } from './flood-pattern.js';
import { OutputQueue } from './output-queue.js';
import { VirtualShell, type ShellHost } from './virtual-shell.js';
import { bootFromFlash, factoryImage, type BootResult } from './virtual-boot.js';
import { VirtualFlash } from './virtual-flash.js';
import { VirtualLoader } from './virtual-loader.js';
import { VirtualRegisters } from './virtual-registers.js';
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';

export type DeviceClock = Clock;
export { systemClock };

/**
 * A dev board's EN pin has an RC delay: the chip leaves reset a few ms after EN is released, and samples IO0 then.
 * esptool's classic reset relies on it (it releases EN a moment before it pulls IO0 low).
 */
export const EN_RC_DELAY_MS = 5;
/** How long a chip that cannot boot sits before its watchdog (or bootloader) resets it: the reboot loop stays slow. */
export const BOOT_RETRY_MS = 1000;

export type ChipState = 'running' | 'in-reset' | 'download' | 'boot-failed' | 'off';

/** One change of the EN/IO0 levels, at the device clock's time: tests check reset timing against it. */
export interface PinChange {
  at: number;
  en: boolean;
  io0: boolean;
}

/** How many pin changes `pinHistory` keeps (a reset sequence is a handful). */
export const PIN_HISTORY = 64;

export interface VirtualDeviceOptions {
  name: string;
  clock?: DeviceClock;
  baudRate?: number;
  /** The board's flash; default: in memory, holding the factory image. */
  flash?: VirtualFlash;
  /** Makes the board's MAC address its own. */
  index?: number;
}

export class VirtualDevice {
  readonly name: string;
  readonly flash: VirtualFlash;
  #clock: DeviceClock;
  #state: ChipState = 'running';
  #en = true;
  #io0 = true;
  #powered = true;
  #pendingBoot: TimerHandle | null = null;
  #bootedAt: number;
  #baudRate: number;
  /** The UART rate the ROM loader listens at: null until a sync sets it (the ROM detects the host's rate). */
  #chipBaud: number | null = null;
  #queue: OutputQueue | null = null;
  #onReadable: (() => void) | null = null;
  #shell: VirtualShell | null = null;
  #loader: VirtualLoader | null = null;
  readonly #registers: VirtualRegisters;
  #lastBoot: { version: number; result: BootResult } | null = null;
  /** The most recent EN/IO0 changes, oldest first, at most PIN_HISTORY. */
  readonly pinHistory: PinChange[] = [];

  /** A new device is already running (it was powered on before anyone looked): it prints nothing until asked. */
  constructor(options: VirtualDeviceOptions) {
    this.name = options.name;
    this.#clock = options.clock ?? systemClock;
    this.#baudRate = options.baudRate ?? 115200;
    this.#bootedAt = this.#clock.now();
    this.flash = options.flash ?? new VirtualFlash({ initial: factoryImage });
    this.#registers = new VirtualRegisters(options.index ?? 0);
  }

  get state(): ChipState {
    return this.#state;
  }

  /** The line's rate as the host set it. */
  get baudRate(): number {
    return this.#baudRate;
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
    if (this.#state === 'download') {
      // Sent at another rate than the loader's UART runs at, bytes arrive as garbage the loader cannot frame.
      if (this.#chipBaud === null || this.#chipBaud === this.#baudRate) this.#loader?.input(Buffer.from(data));
      return;
    }
    if (this.#state !== 'running') return; // held in reset, off, or stuck in a boot loop: no app reads the line
    (this.#shell ??= new VirtualShell(this.#shellHost())).input(data);
  }

  setBaud(rate: number): void {
    this.#baudRate = rate;
  }

  /** Pin levels (true = high). A rising EN boots the chip after the RC delay, in the mode IO0 selects then. */
  setPins(pins: { en: boolean; io0: boolean }): void {
    const rising = pins.en && !this.#en;
    const falling = !pins.en && this.#en;
    if (pins.en !== this.#en || pins.io0 !== this.#io0) this.#recordPins(pins);
    this.#en = pins.en;
    this.#io0 = pins.io0;
    if (falling) this.#holdInReset();
    if (rising) this.#pendingBoot = this.#clock.setTimeout(() => this.#bootFromEn(), EN_RC_DELAY_MS);
  }

  #recordPins(pins: { en: boolean; io0: boolean }): void {
    if (this.pinHistory.push({ at: this.#clock.now(), en: pins.en, io0: pins.io0 }) > PIN_HISTORY) this.pinHistory.shift();
  }

  /** Power comes on: a POWERON boot straight away. */
  powerOn(): void {
    this.#powered = true;
    this.#holdInReset();
    this.#en = true;
    this.#boot('poweron', this.#io0 ? 'flash' : 'download');
  }

  /** Power goes off: no output, input is lost, the port (a USB-UART bridge powered from the host) stays. */
  powerOff(): void {
    this.#powered = false;
    this.#holdInReset();
  }

  get powered(): boolean {
    return this.#powered;
  }

  #bootFromEn(): void {
    this.#pendingBoot = null;
    if (this.#en && this.#powered) this.#boot('poweron', this.#io0 ? 'flash' : 'download');
  }

  /** EN low or power gone: whatever sat in the UART FIFO is lost (a reset from inside the chip lets it drain). */
  #holdInReset(loseFifo = true): void {
    if (this.#pendingBoot !== null) this.#clock.clearTimeout(this.#pendingBoot);
    this.#pendingBoot = null;
    this.#state = this.#powered ? 'in-reset' : 'off';
    this.#shell?.clear();
    this.#loader?.close();
    this.#loader = null;
    if (loseFifo) this.#queue?.clear();
  }

  #boot(cause: ResetCause, mode: BootMode): void {
    this.#bootedAt = this.#clock.now();
    this.#out(romBanner(cause, mode));
    if (mode === 'download') {
      this.#state = 'download';
      this.#chipBaud = null;
      this.#loader = new VirtualLoader({
        send: (bytes) => this.#out(bytes),
        flash: this.flash,
        registers: this.#registers,
        changeBaud: (rate) => (this.#chipBaud = rate),
        runUserCode: () => this.#restart('software'),
      });
      return;
    }
    const result = this.#bootResult();
    this.#out(crlf(result.lines));
    if (result.ok) {
      this.#state = 'running';
      this.#out(appReady(this.name));
      return;
    }
    this.#state = 'boot-failed';
    this.#pendingBoot = this.#clock.setTimeout(() => this.#restart(result.reset), BOOT_RETRY_MS);
  }

  /** A reset from inside the chip (software, watchdog): IO0 is sampled again. */
  #restart(cause: ResetCause): void {
    this.#holdInReset(false);
    this.#boot(cause, this.#io0 ? 'flash' : 'download');
  }

  /** Booting reads the flash; while it is unchanged the answer is the same. */
  #bootResult(): BootResult {
    const version = this.flash.version;
    if (this.#lastBoot?.version !== version) this.#lastBoot = { version, result: bootFromFlash(this.flash) };
    return this.#lastBoot.result;
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
      restart: () => this.#restart('software'),
      info: () => ({ name: this.name, baudRate: this.#baudRate, uptimeMs: this.#clock.now() - this.#bootedAt }),
    };
  }
}
