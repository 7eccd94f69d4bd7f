// The serialport binding for `virtual:<n>` paths: a set of simulated ESP32-S3 boards behind the standard port API.
import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { isStandardBaudRate, unsupportedBaudMessage } from './baud-rates.js';
import { join } from 'node:path';
import { VirtualDevice, type DeviceClock } from './virtual-device.js';
import { factoryImage } from './virtual-boot.js';
import { VirtualFlash } from './virtual-flash.js';
import { VirtualPortBinding } from './virtual-port.js';

export const VIRTUAL_PATH_PREFIX = 'virtual:';

export function isVirtualPath(path: string): boolean {
  return path.startsWith(VIRTUAL_PATH_PREFIX);
}

export function virtualPath(n: number): string {
  return `${VIRTUAL_PATH_PREFIX}${n}`;
}

export interface VirtualBindingOptions {
  count: number;
  clock?: DeviceClock;
  /** Where each board's 8 MiB flash is kept (virtual-N.flash); absent: in memory, lost with the daemon. */
  flashDir?: string;
  /** Deliver bytes no faster than the set baud rate allows (10 bits a byte), as a real UART does. */
  pace?: boolean;
}

export class VirtualBinding implements BindingInterface<VirtualPortBinding> {
  #count: number;
  #clock: DeviceClock | undefined;
  readonly #flashDir: string | undefined;
  readonly #pace: boolean;
  // Devices and ports exist only for boards that have been opened: an idle virtual board costs nothing.
  #devices = new Map<number, VirtualDevice>();
  #open = new Map<number, VirtualPortBinding>();
  /** Flash outlives an unplug, as a board's does: the same board plugged back in holds what it held. */
  #flashes = new Map<number, VirtualFlash>();

  constructor(options: VirtualBindingOptions) {
    this.#count = options.count;
    this.#clock = options.clock;
    this.#flashDir = options.flashDir;
    this.#pace = options.pace ?? false;
  }

  get count(): number {
    return this.#count;
  }

  /** Boards past the new count are unplugged: their open ports see a disconnection. */
  setCount(count: number): void {
    for (const [n, port] of this.#open) if (n > count) port.unplug();
    for (const [n, device] of this.#devices) {
      if (n <= count) continue;
      device.powerOff();
      this.#devices.delete(n);
    }
    this.#count = count;
  }

  /** The daemon is stopping: its boards lose power with it, so no simulated chip (a boot loop's retry) outlives it. */
  powerDown(): void {
    for (const device of this.#devices.values()) device.powerOff();
  }

  /** The device behind `virtual:<n>`, created on first use. */
  device(n: number): VirtualDevice {
    let device = this.#devices.get(n);
    if (!device) {
      let flash = this.#flashes.get(n);
      if (!flash) {
        const file = this.#flashDir === undefined ? {} : { file: join(this.#flashDir, `virtual-${n}.flash`) };
        flash = new VirtualFlash({ initial: factoryImage, ...file });
        this.#flashes.set(n, flash);
      }
      device = new VirtualDevice({ name: `virtual-${n}`, index: n, flash, ...(this.#clock ? { clock: this.#clock } : {}) });
      this.#devices.set(n, device);
    }
    return device;
  }

  async list(): Promise<PortInfo[]> {
    const ports: PortInfo[] = [];
    for (let n = 1; n <= this.#count; n++) {
      ports.push({
        path: virtualPath(n),
        manufacturer: 'fbay virtual board',
        serialNumber: undefined,
        pnpId: undefined,
        locationId: undefined,
        productId: undefined,
        vendorId: undefined,
      });
    }
    return ports;
  }

  async open(options: OpenOptions): Promise<VirtualPortBinding> {
    if (!options || typeof options !== 'object') throw new TypeError('"options" is not an object');
    const n = this.#index(options.path);
    if (n === null) throw new Error(`no virtual board at ${options.path}: there are ${this.#count} (virtual:1 to virtual:${this.#count})`);
    if (!isStandardBaudRate(options.baudRate)) throw new Error(unsupportedBaudMessage(options.baudRate, options.path));
    await new Promise<void>((resolve) => process.nextTick(resolve));
    if (this.#open.has(n)) throw new Error(`${options.path} is already open (a virtual port, like a locked tty, has one user)`);
    const openOptions: Required<OpenOptions> = {
      dataBits: 8, lock: true, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, xany: false, hupcl: true,
      ...options,
    };
    const port = new VirtualPortBinding(
      openOptions,
      this.device(n),
      () => {
        if (this.#open.get(n) === port) this.#open.delete(n);
      },
      this.#pace,
    );
    this.#open.set(n, port);
    return port;
  }

  #index(path: unknown): number | null {
    if (typeof path !== 'string' || !isVirtualPath(path)) return null;
    const rest = path.slice(VIRTUAL_PATH_PREFIX.length);
    if (!/^[1-9]\d*$/.test(rest)) return null;
    const n = Number(rest);
    return n <= this.#count ? n : null;
  }
}
