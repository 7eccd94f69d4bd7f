// Picks how this host lists serial ports: sysfs on Linux, the OS binding's list() elsewhere; neither ever throws.
import type { PortInfo } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { normaliseUsbId } from '../catalog.js';
import { loadSystemBinding } from '../host-binding.js';
import type { DiscoveredPort } from './discovered-port.js';
import { SysfsLister, type SysfsListerOptions } from './sysfs-lister.js';

export interface PortLister {
  /** 'sysfs' answers synchronously, so a registry's first list() already has the boards. */
  readonly source: 'sysfs' | 'os-binding';
  /** Where device nodes appear and vanish: watched for hotplug. null: nothing worth watching. */
  readonly devDir: string | null;
  /** `changed`: tty names an event says changed, to be read again even if known. */
  scan(changed?: Iterable<string>): DiscoveredPort[] | Promise<DiscoveredPort[]>;
}

export interface PortListerOptions extends SysfsListerOptions {
  platform?: NodeJS.Platform;
  /** The OS binding's list(): udevadm on Linux, IOKit on macOS, SetupAPI on Windows. Loads the native module. */
  systemList?: () => Promise<PortInfo[]>;
}

const systemList = async (): Promise<PortInfo[]> => (await loadSystemBinding()).list();

/**
 * On Linux sysfs comes first even where udevadm exists: it is what udev reads, it has the USB topology that
 * udevadm's listing lacks, and a rescan costs one readdir instead of a process spawn dumping the udev database.
 */
export function createPortLister(options: PortListerOptions = {}): PortLister {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux') {
    const sysfs = new SysfsLister(options);
    if (sysfs.available()) return { source: 'sysfs', devDir: sysfs.devDir, scan: (changed) => sysfs.scan(changed) };
  }
  return new BindingLister(options.systemList ?? systemList, platform === 'win32' ? null : (options.devDir ?? '/dev'));
}

class BindingLister implements PortLister {
  readonly source = 'os-binding';
  #last: DiscoveredPort[] = [];

  constructor(
    private readonly list: () => Promise<PortInfo[]>,
    readonly devDir: string | null,
  ) {}

  async scan(): Promise<DiscoveredPort[]> {
    try {
      this.#last = (await this.list()).filter((p) => p.vendorId && p.productId).map(fromPortInfo);
    } catch {
      // No udevadm (ENOENT), no native module: keep what was last seen rather than calling every board unplugged.
    }
    return this.#last;
  }
}

function fromPortInfo(p: PortInfo): DiscoveredPort {
  return {
    path: p.path,
    vid: normaliseUsbId(p.vendorId!),
    pid: normaliseUsbId(p.productId!),
    serial_number: p.serialNumber || null,
    manufacturer: p.manufacturer || null,
    product: null,
    location: p.locationId || null,
    interface_number: null,
  };
}
