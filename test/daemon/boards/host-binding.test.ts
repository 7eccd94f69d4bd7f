import { describe, expect, it } from 'vitest';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { HostBinding, loadSystemBinding } from '../../../src/daemon/boards/host-binding.js';
import { VirtualBinding } from '../../../src/daemon/boards/virtual-binding.js';

const realPort = { path: '/dev/ttyUSB0', manufacturer: 'Silicon Labs', serialNumber: '0001', pnpId: undefined, locationId: undefined, vendorId: '10c4', productId: 'ea60' };

describe('HostBinding', () => {
  it('lists real ports, then the virtual ones', async () => {
    const system = { list: async () => [realPort], open: async () => { throw new Error('unused'); } } as unknown as BindingInterface;
    const host = new HostBinding(new VirtualBinding({ count: 2 }), async () => system);
    expect((await host.list()).map((p) => p.path)).toEqual(['/dev/ttyUSB0', 'virtual:1', 'virtual:2']);
  });

  it('never throws from list(): no udevadm (ENOENT) or no native module means no real ports', async () => {
    const enoent = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
    const noUdev = { list: async () => Promise.reject(enoent) } as unknown as BindingInterface;
    const host = new HostBinding(new VirtualBinding({ count: 1 }), async () => noUdev);
    expect((await host.list()).map((p) => p.path)).toEqual(['virtual:1']);
    const noModule = new HostBinding(new VirtualBinding({ count: 1 }), () => Promise.reject(new Error('No native build was found')));
    expect((await noModule.list()).map((p) => p.path)).toEqual(['virtual:1']);
  });

  it('lists without throwing with the real OS binding on this machine', async () => {
    const host = new HostBinding(new VirtualBinding({ count: 1 }), loadSystemBinding);
    const ports = await host.list();
    expect(ports.at(-1)?.path).toBe('virtual:1');
  });

  it('opens virtual: paths itself and hands every other path to the OS binding', async () => {
    const opened: string[] = [];
    const system = {
      list: async () => [],
      open: async (o: { path: string }) => {
        opened.push(o.path);
        throw new Error(`Error: No such file or directory, cannot open ${o.path}`);
      },
    } as unknown as BindingInterface;
    const host = new HostBinding(new VirtualBinding({ count: 1 }), async () => system);
    const port = await host.open({ path: 'virtual:1', baudRate: 115200 });
    expect(port.isOpen).toBe(true);
    await port.close();
    await expect(host.open({ path: '/dev/ttyACM0', baudRate: 115200 })).rejects.toThrow('cannot open /dev/ttyACM0');
    expect(opened).toEqual(['/dev/ttyACM0']);
  });
});
