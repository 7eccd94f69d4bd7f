import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PortInfo } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { createPortLister } from '../../../../src/daemon/boards/discovery/port-lister.js';
import { FakeSysfs } from './fake-sysfs.js';

const enoent = () => Promise.reject(Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT', syscall: 'spawn udevadm' }));

let fake: FakeSysfs | null = null;
afterEach(() => {
  fake?.cleanup();
  fake = null;
});

describe('createPortLister', () => {
  it('on Linux with udevadm missing, lists from sysfs (synchronously) and never runs the OS list', () => {
    fake = new FakeSysfs().addUsbTty({ name: 'ttyUSB0', vid: '10c4', pid: 'ea60', serial: 'CP1', driver: 'usb-serial' });
    const systemList = vi.fn(enoent);
    const lister = createPortLister({ platform: 'linux', sysfsRoot: fake.root, devDir: fake.dev, systemList });
    expect(lister.source).toBe('sysfs');
    expect(lister.devDir).toBe(fake.dev);
    const ports = lister.scan();
    expect(Array.isArray(ports)).toBe(true);
    expect((ports as { serial_number: string | null }[]).map((p) => p.serial_number)).toEqual(['CP1']);
    expect(systemList).not.toHaveBeenCalled();
  });

  it('on Linux without sysfs and without udevadm, lists nothing and does not throw', async () => {
    const lister = createPortLister({ platform: 'linux', sysfsRoot: '/nonexistent-sysfs', systemList: enoent });
    expect(lister.source).toBe('os-binding');
    await expect(lister.scan()).resolves.toEqual([]);
  });

  it('elsewhere uses the OS list: USB ports only, ids normalised, the last good list kept when a listing fails', async () => {
    const ports: PortInfo[] = [
      { path: '/dev/cu.usbmodem1101', manufacturer: 'Espressif', serialNumber: 'F4:12', pnpId: undefined, locationId: '01100000', vendorId: '303A', productId: '1001' },
      { path: '/dev/cu.Bluetooth-Incoming-Port', manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
    ];
    const systemList = vi.fn<() => Promise<PortInfo[]>>().mockResolvedValueOnce(ports).mockImplementationOnce(enoent);
    const lister = createPortLister({ platform: 'darwin', systemList });
    const expected = [{
      path: '/dev/cu.usbmodem1101', vid: '303a', pid: '1001', serial_number: 'F4:12', manufacturer: 'Espressif', product: null,
      location: '01100000', interface_number: null,
    }];
    await expect(lister.scan()).resolves.toEqual(expected);
    await expect(lister.scan()).resolves.toEqual(expected);
    expect(systemList).toHaveBeenCalledTimes(2);
  });
});
