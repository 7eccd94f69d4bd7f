// Test helper: a fake /sys (class/tty links into a devices tree, USB attributes) and /dev in a temp dir, laid out as Linux does.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export interface FakeUsbTty {
  name: string;
  vid: string;
  pid: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  /** USB topology, e.g. 1-1.4. */
  location?: string;
  interfaceNumber?: number;
  /** cdc-acm puts the tty under the interface; usb-serial drivers (cp210x, ftdi_sio, ch341) under a port dir. */
  driver?: 'acm' | 'usb-serial';
  /** false: sysfs shows the tty but /dev has no node (a container without --device). */
  node?: boolean;
}

export class FakeSysfs {
  readonly dir = mkdtempSync(join(tmpdir(), 'fbay-sysfs-'));
  readonly root = join(this.dir, 'sys');
  readonly dev = join(this.dir, 'dev');
  readonly #classDir = join(this.root, 'class', 'tty');
  readonly #usbBus = join(this.root, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1');

  constructor() {
    mkdirSync(this.#classDir, { recursive: true });
    mkdirSync(this.dev, { recursive: true });
  }

  /** Sysfs first and the /dev node last, in the kernel's order. */
  addUsbTty(t: FakeUsbTty): this {
    const location = t.location ?? '1-1';
    const usbDir = join(this.#usbBus, location);
    mkdirSync(usbDir, { recursive: true });
    writeFileSync(join(usbDir, 'idVendor'), `${t.vid}\n`);
    writeFileSync(join(usbDir, 'idProduct'), `${t.pid}\n`);
    if (t.serial !== undefined) writeFileSync(join(usbDir, 'serial'), `${t.serial}\n`);
    if (t.manufacturer !== undefined) writeFileSync(join(usbDir, 'manufacturer'), `${t.manufacturer}\n`);
    if (t.product !== undefined) writeFileSync(join(usbDir, 'product'), `${t.product}\n`);
    const ifaceDir = join(usbDir, `${location}:1.${t.interfaceNumber ?? 0}`);
    mkdirSync(ifaceDir, { recursive: true });
    writeFileSync(join(ifaceDir, 'bInterfaceNumber'), `${(t.interfaceNumber ?? 0).toString(16).padStart(2, '0')}\n`);
    const deviceDir = t.driver === 'usb-serial' ? join(ifaceDir, t.name) : ifaceDir;
    const ttyDir = join(deviceDir, 'tty', t.name);
    mkdirSync(ttyDir, { recursive: true });
    writeFileSync(join(ttyDir, 'dev'), '166:0\n');
    symlinkSync(relative(ttyDir, deviceDir), join(ttyDir, 'device'));
    return this.#link(t.name, ttyDir, t.node ?? true);
  }

  /** A virtual console: a class entry with no device behind it. */
  addConsoleTty(name: string): this {
    const ttyDir = join(this.root, 'devices', 'virtual', 'tty', name);
    mkdirSync(ttyDir, { recursive: true });
    return this.#link(name, ttyDir, true);
  }

  /** A built-in UART: a device, but not on USB. */
  addUartTty(name: string): this {
    const deviceDir = join(this.root, 'devices', 'pnp0', '00:00');
    const ttyDir = join(deviceDir, 'tty', name);
    mkdirSync(ttyDir, { recursive: true });
    symlinkSync(relative(ttyDir, deviceDir), join(ttyDir, 'device'));
    return this.#link(name, ttyDir, true);
  }

  /** Unplug: the /dev node goes first, then the class entry. */
  remove(name: string): this {
    rmSync(join(this.dev, name), { force: true });
    rmSync(join(this.#classDir, name), { force: true });
    return this;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  #link(name: string, ttyDir: string, node: boolean): this {
    symlinkSync(relative(this.#classDir, ttyDir), join(this.#classDir, name));
    if (node) writeFileSync(join(this.dev, name), '');
    return this;
  }
}
