// A serial port as discovery sees it, and the stable id derived from it (never from its /dev path).

export interface DiscoveredPort {
  /** The device node, e.g. /dev/ttyACM0: where it is now, which may change on re-enumeration. */
  path: string;
  /** USB ids as 4 lowercase hex digits; null when the port is not on USB. */
  vid: string | null;
  pid: string | null;
  serial_number: string | null;
  manufacturer: string | null;
  product: string | null;
  /** USB topology, bus-port.port… (e.g. 1-1.4): where it is plugged in. */
  location: string | null;
  /** The USB interface the tty belongs to; a dual-channel bridge (FT2232) has two ttys with one serial number. */
  interface_number: number | null;
}

/** Characters an id keeps; everything else becomes `_` so ids are safe in URLs, file names and shells. */
export function sanitiseId(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * `usb-<vid>-<pid>-<serial>`, or `usb-<vid>-<pid>-at-<topology>` for a device without a serial number, plus
 * `-if<n>` for a tty on an interface other than the first. Null for a port with no USB identity.
 */
export function usbPortId(port: DiscoveredPort): string | null {
  if (port.vid === null || port.pid === null) return null;
  const where = port.serial_number ? port.serial_number : port.location ? `at-${port.location}` : null;
  if (where === null) return null;
  const iface = port.interface_number ? `-if${port.interface_number}` : '';
  return sanitiseId(`usb-${port.vid}-${port.pid}-${where}${iface}`);
}
