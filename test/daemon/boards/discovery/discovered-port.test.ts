import { describe, expect, it } from 'vitest';
import { sanitiseId, usbPortId, type DiscoveredPort } from '../../../../src/daemon/boards/discovery/discovered-port.js';

const port = (p: Partial<DiscoveredPort>): DiscoveredPort => ({
  path: '/dev/ttyACM0', vid: '303a', pid: '1001', serial_number: null, manufacturer: null, product: null, location: null, interface_number: 0, ...p,
});

describe('board ids from USB identity', () => {
  it('uses the serial number, sanitised, and never the /dev path', () => {
    expect(usbPortId(port({ serial_number: '24:EC:4A:00:11:22' }))).toBe('usb-303a-1001-24_EC_4A_00_11_22');
    expect(usbPortId(port({ serial_number: 'A B/../x', path: '/dev/ttyACM7' }))).toBe('usb-303a-1001-A_B_.._x');
  });

  it('falls back to the topology, and adds the interface past the first', () => {
    expect(usbPortId(port({ location: '1-1.4' }))).toBe('usb-303a-1001-at-1-1.4');
    expect(usbPortId(port({ serial_number: 'FT', interface_number: 2 }))).toBe('usb-303a-1001-FT-if2');
  });

  it('has no USB id for a port without USB ids or without serial and topology', () => {
    expect(usbPortId(port({ vid: null, pid: null, serial_number: 'X' }))).toBeNull();
    expect(usbPortId(port({}))).toBeNull();
    expect(sanitiseId('my board #2')).toBe('my_board_2');
  });
});
