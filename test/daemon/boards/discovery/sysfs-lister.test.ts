import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SysfsLister } from '../../../../src/daemon/boards/discovery/sysfs-lister.js';
import { usbPortId } from '../../../../src/daemon/boards/discovery/discovered-port.js';
import { FakeSysfs } from './fake-sysfs.js';

let fake: FakeSysfs;
afterEach(() => fake.cleanup());

const lister = () => new SysfsLister({ sysfsRoot: fake.root, devDir: fake.dev });

describe('SysfsLister', () => {
  it('reads a CP210x (usb-serial driver) with its serial number, names and topology', () => {
    fake = new FakeSysfs().addUsbTty({
      name: 'ttyUSB0', vid: '10c4', pid: 'ea60', serial: '0a1b2c3d', manufacturer: 'Silicon Labs',
      product: 'CP2102N USB to UART Bridge Controller', location: '1-1.4', driver: 'usb-serial',
    });
    expect(lister().scan()).toEqual([{
      path: join(fake.dev, 'ttyUSB0'), vid: '10c4', pid: 'ea60', serial_number: '0a1b2c3d', manufacturer: 'Silicon Labs',
      product: 'CP2102N USB to UART Bridge Controller', location: '1-1.4', interface_number: 0,
    }]);
  });

  it('reads an ESP32-S3 USB-Serial/JTAG (cdc-acm) and normalises upper-case ids', () => {
    fake = new FakeSysfs().addUsbTty({ name: 'ttyACM0', vid: '303A', pid: '1001', serial: 'F4:12:FA:40:5C:88', product: 'USB JTAG/serial debug unit', location: '3-2' });
    const [port] = lister().scan();
    expect(port).toMatchObject({ vid: '303a', pid: '1001', serial_number: 'F4:12:FA:40:5C:88', location: '3-2', manufacturer: null });
    expect(usbPortId(port!)).toBe('usb-303a-1001-F4_12_FA_40_5C_88');
  });

  it('gives a device without a serial number an id from its topology', () => {
    fake = new FakeSysfs().addUsbTty({ name: 'ttyUSB3', vid: '1a86', pid: '7523', location: '1-1.2.3', driver: 'usb-serial' });
    const [port] = lister().scan();
    expect(port?.serial_number).toBeNull();
    expect(usbPortId(port!)).toBe('usb-1a86-7523-at-1-1.2.3');
  });

  it('ignores ttys without a device and non-USB ttys, and sorts the rest by path', () => {
    fake = new FakeSysfs()
      .addConsoleTty('tty0')
      .addConsoleTty('console')
      .addUartTty('ttyS0')
      .addUsbTty({ name: 'ttyACM1', vid: '2e8a', pid: '000a', serial: 'E66', location: '1-2' })
      .addUsbTty({ name: 'ttyACM0', vid: '303a', pid: '1001', serial: 'AA', location: '1-3' });
    expect(lister().scan().map((p) => p.path)).toEqual([join(fake.dev, 'ttyACM0'), join(fake.dev, 'ttyACM1')]);
  });

  it('ignores a USB tty whose /dev node this host cannot see (a container without --device)', () => {
    fake = new FakeSysfs().addUsbTty({ name: 'ttyUSB0', vid: '0403', pid: '6001', serial: 'FT1', node: false });
    expect(lister().scan()).toEqual([]);
  });

  it('tells the two channels of a dual bridge apart by interface', () => {
    fake = new FakeSysfs()
      .addUsbTty({ name: 'ttyUSB0', vid: '0403', pid: '6010', serial: 'FT2', location: '1-4', interfaceNumber: 0, driver: 'usb-serial' })
      .addUsbTty({ name: 'ttyUSB1', vid: '0403', pid: '6010', serial: 'FT2', location: '1-4', interfaceNumber: 1, driver: 'usb-serial' });
    expect(lister().scan().map((p) => usbPortId(p))).toEqual(['usb-0403-6010-FT2', 'usb-0403-6010-FT2-if1']);
  });

  it('sees plugs and unplugs between scans, and re-reads a name an event reports', () => {
    fake = new FakeSysfs().addUsbTty({ name: 'ttyACM0', vid: '303a', pid: '1001', serial: 'ONE', location: '1-1' });
    const l = lister();
    expect(l.scan().map((p) => p.serial_number)).toEqual(['ONE']);
    fake.remove('ttyACM0');
    expect(l.scan()).toEqual([]);
    fake.addUsbTty({ name: 'ttyACM0', vid: '303a', pid: '1001', serial: 'TWO', location: '1-2' });
    expect(l.scan(['ttyACM0']).map((p) => [p.serial_number, p.location])).toEqual([['TWO', '1-2']]);
  });

  it('looks again at a USB tty caught half-removed, so a board back under that name is seen', () => {
    fake = new FakeSysfs().addUsbTty({ name: 'ttyACM0', vid: '303a', pid: '1001', serial: 'S3', location: '1-5' });
    const idVendor = join(fake.root, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', '1-5', 'idVendor');
    rmSync(idVendor);
    const l = lister();
    expect(l.scan()).toEqual([]);
    writeFileSync(idVendor, '303a\n');
    expect(l.scan().map((p) => p.serial_number)).toEqual(['S3']);
  });

  it('lists nothing, without throwing, where there is no sysfs', () => {
    const l = new SysfsLister({ sysfsRoot: '/nonexistent-sysfs', devDir: '/nonexistent-dev' });
    expect(l.available()).toBe(false);
    expect(l.scan()).toEqual([]);
    fake = new FakeSysfs();
  });
});
