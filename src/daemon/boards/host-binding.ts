// The one serialport binding the daemon opens every port with: virtual boards by path, the OS binding for the rest.
import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { isVirtualPath, type VirtualBinding } from './virtual-binding.js';
import { batchedReads } from './batched-port.js';

export type SystemBindingLoader = () => Promise<BindingInterface>;

/** Loaded on first use, so a daemon that only has virtual boards never loads the native module. */
export const loadSystemBinding: SystemBindingLoader = async () => {
  const { autoDetect } = await import('@serialport/bindings-cpp');
  return autoDetect() as BindingInterface;
};

export class HostBinding implements BindingInterface {
  #system: Promise<BindingInterface> | null = null;

  constructor(
    readonly virtual: VirtualBinding,
    private readonly loadSystem: SystemBindingLoader = loadSystemBinding,
  ) {}

  /** Real ports first, then the virtual ones. Never throws: a host without udevadm (or without the native module) lists no real ports. */
  async list(): Promise<PortInfo[]> {
    let real: PortInfo[] = [];
    try {
      real = await (await this.#systemBinding()).list();
    } catch {
      // bindings-cpp's Linux list() spawns udevadm and rejects with ENOENT where there is none. Board discovery does
      // not come through here: it reads sysfs (discovery/sysfs-lister.ts).
    }
    return [...real, ...(await this.virtual.list())];
  }

  async open(options: OpenOptions): Promise<BindingPortInterface> {
    if (isVirtualPath(options.path)) return this.virtual.open(options);
    return batchedReads(await (await this.#systemBinding()).open(options));
  }

  #systemBinding(): Promise<BindingInterface> {
    this.#system ??= this.loadSystem();
    // A failed load is retried next time rather than remembered forever.
    this.#system.catch(() => {
      this.#system = null;
    });
    return this.#system;
  }
}
