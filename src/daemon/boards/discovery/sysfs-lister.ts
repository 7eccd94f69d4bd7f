// Lists USB serial ports by reading /sys/class/tty, the data udev itself reads: no udevadm, no native module, no spawn.
import { lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { normaliseUsbId } from '../catalog.js';
import type { DiscoveredPort } from './discovered-port.js';

export interface SysfsListerOptions {
  /** Tests point these at a fake tree. */
  sysfsRoot?: string;
  devDir?: string;
}

interface CachedTty {
  /** The class entry's inode: a tty that went away and came back under the same name between two scans has a new one. */
  ino: number;
  /** null: not a USB tty (a virtual console, a built-in UART), which never becomes one. */
  port: DiscoveredPort | null;
}

// How far up from a tty's device the USB device dir can be (usb-serial: port dir → interface dir → USB device).
const MAX_DEPTH = 6;
const USB_INTERFACE_DIR = /^\d+-[\d.]+:\d+\.\d+$/;
const USB_BUS_DIR = /\/usb\d+\//;
const NOT_USB = Symbol('not a USB tty');

export class SysfsLister {
  readonly #classDir: string;
  readonly #devDir: string;
  readonly #cache = new Map<string, CachedTty>();

  constructor(options: SysfsListerOptions = {}) {
    this.#classDir = join(options.sysfsRoot ?? '/sys', 'class', 'tty');
    this.#devDir = options.devDir ?? '/dev';
  }

  get devDir(): string {
    return this.#devDir;
  }

  /** False where there is no /sys/class/tty (not Linux, or /sys not mounted): discovery must use something else. */
  available(): boolean {
    try {
      return statSync(this.#classDir).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * The USB serial ports present now, sorted by path. A scan with nothing new costs one readdir plus one lstat per
   * USB tty: details are read once per appearance. `changed` names (from /dev events) are read again regardless.
   */
  scan(changed: Iterable<string> = []): DiscoveredPort[] {
    let names: string[];
    try {
      names = readdirSync(this.#classDir);
    } catch {
      this.#cache.clear();
      return [];
    }
    const present = new Set(names);
    for (const name of this.#cache.keys()) if (!present.has(name)) this.#cache.delete(name);
    for (const name of changed) this.#cache.delete(name);
    const ports: DiscoveredPort[] = [];
    for (const name of names) {
      const port = this.#tty(name);
      // sysfs can show ttys whose node this host cannot see (a container without --device), and drops the class
      // entry a moment after the node on unplug: only a port with a node is there.
      if (port && nodeExists(port.path)) ports.push(port);
    }
    return ports.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  #tty(name: string): DiscoveredPort | null {
    const cached = this.#cache.get(name);
    if (cached && cached.port === null) return null;
    const ino = inodeOf(join(this.#classDir, name));
    if (ino === null) return null;
    if (cached && cached.ino === ino) return cached.port;
    const found = this.#inspect(name);
    // Undecided (caught mid-removal): not cached, so a board coming back under this name is read next scan.
    if (found === null) return null;
    const port = found === NOT_USB ? null : found;
    this.#cache.set(name, { ino, port });
    return port;
  }

  /** Follows the tty's device link up to the USB device dir. null: half there (being plugged or unplugged). */
  #inspect(name: string): DiscoveredPort | typeof NOT_USB | null {
    const link = join(this.#classDir, name, 'device');
    if (inodeOf(link) === null) return NOT_USB; // tty0, console, ptmx…: no device behind them
    let dir: string;
    try {
      dir = realpathSync(link);
    } catch {
      return null;
    }
    // Every USB device sits under a root hub dir (usb1, usb2…); a built-in UART (ttyS*, ttyAMA*) does not.
    if (!USB_BUS_DIR.test(dir)) return NOT_USB;
    let interfaceDir: string | null = null;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const vid = readAttr(dir, 'idVendor');
      if (vid !== null) {
        const pid = readAttr(dir, 'idProduct');
        if (pid === null) return null;
        const iface = interfaceDir === null ? null : readAttr(interfaceDir, 'bInterfaceNumber');
        return {
          path: join(this.#devDir, name),
          vid: normaliseUsbId(vid),
          pid: normaliseUsbId(pid),
          serial_number: readAttr(dir, 'serial') || null,
          manufacturer: readAttr(dir, 'manufacturer') || null,
          product: readAttr(dir, 'product') || null,
          location: basename(dir),
          interface_number: iface === null || !/^[0-9a-f]+$/i.test(iface) ? null : parseInt(iface, 16),
        };
      }
      if (USB_INTERFACE_DIR.test(basename(dir))) interfaceDir = dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return null;
  }
}

function readAttr(dir: string, attr: string): string | null {
  try {
    return readFileSync(join(dir, attr), 'utf8').trim();
  } catch {
    return null;
  }
}

// Missing entries are the common case on every scan: no exception is built for them.
function inodeOf(path: string): number | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.ino ?? null;
  } catch {
    return null;
  }
}

function nodeExists(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
